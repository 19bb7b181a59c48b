import { CliError } from './output';

export interface Response {
  status: number;
  text: string;
  json: unknown;
}

interface Problem {
  detail?: string;
  title?: string;
  code?: string;
  errors?: Array<{ field?: string; message?: string }>;
}

/** The management API over HTTP; a problem+json answer becomes one CliError line per field. */
export class ManagementClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  async request(method: string, path: string, opts: { body?: unknown; accept?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const url = new URL(path.replace(/^\//, ''), this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    let res: globalThis.Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.status >= 400) throw problemError(res.status, json as Problem | undefined, text);
    return { status: res.status, text, json };
  }
}

function problemError(status: number, p: Problem | undefined, text: string): CliError {
  if (status === 401 && p?.code !== 'invalid_credentials') {
    return new CliError('the management API refused the token (expired or revoked?): run `apim login` again', [], p);
  }
  if (status === 403) return new CliError('this account may not do that (an admin token is needed)', [], p);
  const detail = p?.detail ?? p?.title ?? `HTTP ${status}: ${text.slice(0, 200)}`;
  const lines = (p?.errors ?? []).map((e) => `${e.field ?? '(document)'}: ${e.message ?? 'invalid'}`);
  return new CliError(detail, lines, p);
}
