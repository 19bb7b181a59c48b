import type { ServerResponse } from 'node:http';
import { type ErrorCode, type FieldError, PROBLEM_CONTENT_TYPE, problem } from '@apim/errors';

/** Writes an RFC 9457 body directly: for middleware that runs outside Nest's exception filters. */
export function sendProblem(
  res: ServerResponse,
  code: ErrorCode,
  requestId: string,
  detail?: string,
  errors?: FieldError[],
  headers: Record<string, string> = {},
): void {
  const body = problem(code, requestId, detail, errors);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.statusCode = body.status;
  res.setHeader('content-type', PROBLEM_CONTENT_TYPE);
  res.end(JSON.stringify(body));
}
