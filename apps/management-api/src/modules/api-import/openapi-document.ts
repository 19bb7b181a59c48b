import SwaggerParser from '@apidevtools/swagger-parser';
import type { FieldError } from '@apim/errors';
import { parse as parseYaml } from 'yaml';

export type OpenApiDocument = Record<string, unknown>;

export type Parsed = { ok: true; document: OpenApiDocument } | { ok: false; errors: FieldError[] };

const MAX_ERRORS = 20;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON object as is; text as JSON or YAML (YAML is a superset of JSON). */
export function parseDocumentInput(input: unknown): Parsed {
  let doc = input;
  if (typeof input === 'string') {
    try {
      doc = parseYaml(input, { maxAliasCount: 100 });
    } catch (err) {
      const first = String((err as Error).message)
        .split('\n')[0]
        .slice(0, 300);
      return { ok: false, errors: [{ field: 'document', message: `neither JSON nor YAML: ${first}` }] };
    }
  }
  if (!isObject(doc))
    return {
      ok: false,
      errors: [{ field: 'document', message: 'must be an OpenAPI document (an object, or its JSON/YAML text)' }],
    };
  return { ok: true, document: doc };
}

function versionProblem(doc: OpenApiDocument): string | null {
  if (typeof doc.openapi === 'string')
    return /^3\.[01]\.\d+$/.test(doc.openapi) ? null : `OpenAPI ${doc.openapi} is not supported (3.0 or 3.1)`;
  if (doc.swagger !== undefined)
    return doc.swagger === '2.0' ? null : `Swagger ${String(doc.swagger)} is not supported (2.0)`;
  return 'has neither "openapi" (3.0, 3.1) nor "swagger" (2.0)';
}

/** `$ref`s that leave the document: the portal would fetch them from the reader's browser. */
function externalRefs(node: unknown, pointer: string, out: FieldError[]): void {
  if (out.length >= MAX_ERRORS) return;
  if (Array.isArray(node)) node.forEach((v, i) => externalRefs(v, `${pointer}/${i}`, out));
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      const here = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (k === '$ref' && typeof v === 'string' && !v.startsWith('#'))
        out.push({
          field: `document#${here}`,
          message: `external $ref "${v.slice(0, 200)}" is not supported; bundle the document first`,
        });
      else externalRefs(v, here, out);
    }
  }
}

interface SchemaErrorDetail {
  instancePath?: string;
  message?: string;
}

/**
 * Validates an OpenAPI 3.0/3.1 or Swagger 2.0 document with swagger-parser (schema and spec
 * rules), on a copy: validation dereferences in place, and the stored document keeps its $refs.
 * External references are refused rather than resolved (no file or network reads).
 */
export async function validateOpenApi(doc: OpenApiDocument): Promise<FieldError[]> {
  const version = versionProblem(doc);
  if (version) return [{ field: 'document', message: version }];
  const external: FieldError[] = [];
  externalRefs(doc, '', external);
  if (external.length) return external;
  try {
    await SwaggerParser.validate(structuredClone(doc) as never, { resolve: { external: false } });
    return [];
  } catch (err) {
    const details = (err as { details?: SchemaErrorDetail[] }).details;
    if (Array.isArray(details) && details.length) {
      const seen = new Set<string>();
      return details
        .map((d) => ({ field: `document#${d.instancePath ?? ''}`, message: String(d.message ?? 'invalid') }))
        .filter((e) => !seen.has(`${e.field} ${e.message}`) && seen.add(`${e.field} ${e.message}`))
        .slice(0, MAX_ERRORS);
    }
    const message = String((err as Error).message ?? 'invalid document')
      .split('\n')
      .filter(Boolean)
      .slice(0, 3)
      .join('; ')
      .slice(0, 500);
    return [{ field: 'document', message }];
  }
}

export interface DerivedApi {
  name: string;
  slug: string;
  description: string | null;
  /** From the first server (3.x) or schemes/host/basePath (2.0); null when the document names no absolute one. */
  upstreamUrl: string | null;
}

/** "Swagger Petstore — v2!" → "swagger-petstore-v2". */
export function slugify(title: string): string {
  const s = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
  return s || 'api';
}

function absoluteHttpUrl(u: string): string | null {
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}

function firstServerUrl(doc: OpenApiDocument): string | null {
  if (doc.swagger !== undefined) {
    if (typeof doc.host !== 'string' || !doc.host) return null;
    const schemes = Array.isArray(doc.schemes) ? doc.schemes : [];
    const scheme = schemes.includes('https') ? 'https' : schemes.includes('http') ? 'http' : 'https';
    return absoluteHttpUrl(`${scheme}://${doc.host}${typeof doc.basePath === 'string' ? doc.basePath : ''}`);
  }
  const server = Array.isArray(doc.servers) ? doc.servers[0] : undefined;
  if (!isObject(server) || typeof server.url !== 'string') return null;
  const vars = isObject(server.variables) ? server.variables : {};
  const url = server.url.replace(/\{([^}]+)\}/g, (m, name: string) => {
    const v = vars[name];
    return isObject(v) && typeof v.default === 'string' ? v.default : m;
  });
  return absoluteHttpUrl(url);
}

/** What an API definition takes from the document: name and description from `info`, upstream from its server. */
export function deriveApi(doc: OpenApiDocument): DerivedApi {
  const info = isObject(doc.info) ? doc.info : {};
  const title = typeof info.title === 'string' && info.title.trim() ? info.title.trim().slice(0, 200) : 'Imported API';
  const text = [info.summary, info.description]
    .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
    .join('\n\n');
  return {
    name: title,
    slug: slugify(title),
    description: text ? text.slice(0, 10_000) : null,
    upstreamUrl: firstServerUrl(doc),
  };
}
