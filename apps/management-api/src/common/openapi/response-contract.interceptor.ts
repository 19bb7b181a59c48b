import type { ServerResponse } from 'node:http';
import { type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { PROBLEM_CONTENT_TYPE, problem } from '@apim/errors';
import type { Logger } from '@apim/observability';
import type { Observable } from 'rxjs';
import { problemSchema } from '@apim/contracts/management';
import type { ApiRequest } from '../http/request';
import { RESPONSE_CONTRACT, type ResponseContract } from './api-doc.decorator';

export interface ResponseMismatch {
  method: string;
  url: string;
  status: number;
  /** What differs from the route's contract: zod issues, undocumented fields, a wrong status. */
  problems: string[];
}

/**
 * Test-only check that every success response matches the route's documented contract (the zod
 * schema given to `@ApiDoc({ response })`, which also describes it in the OpenAPI document).
 *
 * It watches the bytes written (so handlers that write the response themselves are covered) and,
 * for a 2xx JSON body, parses it with the schema: a failed parse, a field the schema does not
 * declare, or a status other than the documented one is a mismatch. A mismatch is logged, reported
 * to `onMismatch` and, when the body has not been sent yet, replaced by a 500 problem+json, so the
 * calling test fails. Never enabled in production (createManagementApp refuses it there).
 */
export class ResponseContractInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly logger: Logger,
    private readonly onMismatch: (m: ResponseMismatch) => void,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const contract = this.reflector.get<ResponseContract | undefined>(RESPONSE_CONTRACT, context.getHandler());
    if (contract && context.getType() === 'http') {
      const http = context.switchToHttp();
      this.watch(http.getRequest<ApiRequest>(), http.getResponse<ServerResponse>(), contract);
    }
    return next.handle();
  }

  private watch(req: ApiRequest, res: ServerResponse, contract: ResponseContract): void {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const keep = (chunk: unknown, encoding: unknown) => {
      if (typeof chunk === 'string')
        chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
      else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk !== undefined && typeof chunk !== 'function') keep(chunk, rest[0]);
      const problems = this.check(res, contract, Buffer.concat(chunks));
      if (!problems.length) return end(chunk, ...rest);
      const mismatch: ResponseMismatch = {
        method: req.method ?? '?',
        url: req.originalUrl ?? req.url ?? '?',
        status: res.statusCode,
        problems,
      };
      this.logger.error(mismatch, 'response does not match its contract schema');
      this.onMismatch(mismatch);
      if (res.headersSent) return end(chunk, ...rest);
      const body = JSON.stringify(
        problem(
          'internal_error',
          req.requestId,
          `response contract mismatch on ${mismatch.method} ${mismatch.url}: ${problems.join('; ')}`,
        ),
      );
      res.statusCode = 500;
      res.setHeader('content-type', PROBLEM_CONTENT_TYPE);
      res.setHeader('content-length', Buffer.byteLength(body));
      return end(body);
    }) as ServerResponse['end'];
  }

  /** An error answer: problem+json of the contract's problem shape (every route's 4xx and 5xx). */
  private checkProblem(res: ServerResponse, bytes: Buffer): string[] {
    const type = String(res.getHeader('content-type') ?? '');
    if (!type.startsWith(PROBLEM_CONTENT_TYPE))
      return [`status ${res.statusCode} as ${type || 'no content type'}, not problem+json`];
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch {
      return ['the problem body is not JSON'];
    }
    const parsed = problemSchema.safeParse(body);
    if (!parsed.success) return parsed.error.issues.map((i) => `problem ${i.path.join('.') || '(body)'}: ${i.message}`);
    const problems: string[] = [];
    undeclaredFields(body, parsed.data, '', problems);
    return problems;
  }

  private check(res: ServerResponse, contract: ResponseContract, bytes: Buffer): string[] {
    const status = res.statusCode;
    if (status >= 400) return this.checkProblem(res, bytes);
    if (status < 200) return [];
    const problems: string[] = [];
    if (!contract.statuses.includes(status))
      problems.push(`status ${status}, documented ${contract.statuses.join(' or ')}`);
    const type = String(res.getHeader('content-type') ?? '');
    if (!contract.schema) {
      if (bytes.length && /json/.test(type)) problems.push('a body where the contract has none');
      return problems;
    }
    if (!/^application\/json/.test(type)) return problems; // CSV, YAML: other representations
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch {
      return [...problems, 'the body is not JSON'];
    }
    const parsed = contract.schema.safeParse(body);
    if (!parsed.success) {
      for (const i of parsed.error.issues) problems.push(`${i.path.join('.') || '(body)'}: ${i.message}`);
      return problems;
    }
    undeclaredFields(body, parsed.data, '', problems);
    return problems;
  }
}

/** Fields of the body that the parsed value lacks: the schema does not declare them (z.object strips them). */
function undeclaredFields(sent: unknown, parsed: unknown, path: string, out: string[]): void {
  if (Array.isArray(sent) && Array.isArray(parsed)) {
    sent.forEach((v, i) => undeclaredFields(v, parsed[i], `${path}[${i}]`, out));
    return;
  }
  if (!isPlainObject(sent) || !isPlainObject(parsed)) return;
  for (const [k, v] of Object.entries(sent)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in parsed)) out.push(`${p}: not declared by the schema`);
    else undeclaredFields(v, parsed[k], p, out);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
