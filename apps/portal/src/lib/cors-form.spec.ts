import { describe, expect, it } from 'vitest';
import { corsBody, corsProblem, isOrigin, originList } from './cors-form';

const on = {
  corsEnabled: true,
  corsOrigins: 'https://app.example.com\nhttp://localhost:3000',
  corsCredentials: false,
  corsMaxAge: 600,
};

describe('CORS fields of the API form', () => {
  it('reads origins one per line or comma-separated', () => {
    expect(originList(' https://a.example ,https://b.example\n\n*')).toEqual([
      'https://a.example',
      'https://b.example',
      '*',
    ]);
  });

  it.each(['*', 'https://app.example.com', 'http://localhost:3000'])('accepts %s', (o) =>
    expect(isOrigin(o)).toBe(true),
  );
  it.each([
    'app.example.com',
    'https://app.example.com/',
    'https://app.example.com/x',
    'https://APP.example.com',
    'ftp://x.example',
  ])('refuses %s', (o) => expect(isOrigin(o)).toBe(false));

  it('finds the problem: no origins, a bad one, credentials with *', () => {
    expect(corsProblem(on)).toBeNull();
    expect(corsProblem({ ...on, corsEnabled: false, corsOrigins: '' })).toBeNull();
    expect(corsProblem({ ...on, corsOrigins: ' ' })?.[0]).toBe('corsOrigins');
    expect(corsProblem({ ...on, corsOrigins: 'https://a.example/path' })?.[0]).toBe('corsOrigins');
    expect(corsProblem({ ...on, corsOrigins: '*', corsCredentials: true })?.[0]).toBe('corsCredentials');
  });

  it('builds the body: null when off, keeps header lists set through the API', () => {
    expect(corsBody({ ...on, corsEnabled: false })).toBeNull();
    expect(
      corsBody(on, { allowedOrigins: ['*'], allowCredentials: false, maxAgeSeconds: 1, exposedHeaders: ['X-Trace'] }),
    ).toEqual({
      allowedOrigins: ['https://app.example.com', 'http://localhost:3000'],
      allowCredentials: false,
      maxAgeSeconds: 600,
      exposedHeaders: ['X-Trace'],
    });
  });
});
