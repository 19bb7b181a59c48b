import { describe, expect, it } from 'vitest';
import { deriveApi, parseDocumentInput, slugify, validateOpenApi } from './openapi-document';

const v30 = { openapi: '3.0.3', info: { title: 'Pets', version: '1' }, paths: {} };

describe('parseDocumentInput', () => {
  it('takes an object, JSON text or YAML text', () => {
    expect(parseDocumentInput(v30)).toEqual({ ok: true, document: v30 });
    expect(parseDocumentInput(JSON.stringify(v30))).toEqual({ ok: true, document: v30 });
    expect(parseDocumentInput('openapi: 3.0.3\ninfo:\n  title: Pets\n  version: "1"\npaths: {}\n')).toEqual({
      ok: true,
      document: v30,
    });
  });
  it.each([['not: [closed'], [42], [null], ['just a string'], [[1]]])('refuses %j', (input) => {
    const r = parseDocumentInput(input);
    expect(r.ok).toBe(false);
  });
});

describe('validateOpenApi', () => {
  it('accepts valid 3.0, 3.1 and 2.0 documents', async () => {
    expect(await validateOpenApi(v30)).toEqual([]);
    expect(await validateOpenApi({ openapi: '3.1.0', info: { title: 'x', version: '1' }, paths: {} })).toEqual([]);
    expect(await validateOpenApi({ swagger: '2.0', info: { title: 'x', version: '1' }, paths: {} })).toEqual([]);
  });
  it('names what is wrong, by JSON pointer', async () => {
    expect(await validateOpenApi({ openapi: '3.0.0', info: { title: 'x' }, paths: {} })).toEqual([
      { field: 'document#/info', message: "must have required property 'version'" },
    ]);
  });
  it.each([
    [{ openapi: '4.0.0', info: {}, paths: {} }, /not supported/],
    [{ swagger: '1.2' }, /not supported/],
    [{ info: { title: 'x' } }, /neither/],
  ])('refuses unsupported versions %j', async (doc, msg) => {
    const [e] = await validateOpenApi(doc);
    expect(e.message).toMatch(msg);
  });
  it('refuses external $refs instead of reading files or URLs', async () => {
    const doc = { ...v30, paths: { '/a': { $ref: 'file:///etc/passwd' }, '/b': { $ref: 'http://169.254.169.254/x' } } };
    const errors = await validateOpenApi(doc);
    expect(errors.map((e) => e.field)).toEqual(['document#/paths/~1a/$ref', 'document#/paths/~1b/$ref']);
  });
});

describe('deriveApi', () => {
  it('3.x: name, description, first server with variables filled in', () => {
    const d = deriveApi({
      ...v30,
      info: { title: 'Swagger Petstore — v2!', version: '1', description: 'All the pets' },
      servers: [{ url: 'https://{env}.pets.test/v1', variables: { env: { default: 'api' } } }, { url: 'http://other' }],
    });
    expect(d).toEqual({
      name: 'Swagger Petstore — v2!',
      slug: 'swagger-petstore-v2',
      description: 'All the pets',
      upstreamUrl: 'https://api.pets.test/v1',
    });
  });
  it('a relative server or none gives no upstream', () => {
    expect(deriveApi({ ...v30, servers: [{ url: '/v1' }] }).upstreamUrl).toBeNull();
    expect(deriveApi(v30).upstreamUrl).toBeNull();
  });
  it('2.0: scheme, host and basePath', () => {
    expect(
      deriveApi({
        swagger: '2.0',
        info: { title: 'P' },
        host: 'petstore.test',
        basePath: '/v2',
        schemes: ['http', 'https'],
      }).upstreamUrl,
    ).toBe('https://petstore.test/v2');
  });
  it('slugify', () => {
    expect(slugify('---')).toBe('api');
    expect(slugify('Ünïcode API 3.1')).toBe('unicode-api-3-1');
    expect(slugify('a'.repeat(150)).length).toBe(100);
  });
});
