import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { ERROR_CATALOGUE, type ErrorCode, PROBLEM_CONTENT_TYPE, problem } from '@apim/errors';

/** llhttp error codes that mean the message framing cannot be trusted. */
const SMUGGLING = new Set([
  'HPE_UNEXPECTED_CONTENT_LENGTH',
  'HPE_INVALID_CONTENT_LENGTH',
  'HPE_INVALID_TRANSFER_ENCODING',
  'HPE_INVALID_CHUNK_SIZE',
  'HPE_CHUNK_EXTENSIONS_OVERFLOW',
  'HPE_LF_EXPECTED',
  'HPE_CR_EXPECTED',
]);

export function clientErrorCode(code: string | undefined): ErrorCode {
  if (code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  // Node's headersTimeout: the request head did not arrive in time (slowloris).
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  if (code && SMUGGLING.has(code)) return 'request_smuggling';
  return 'bad_request';
}

/**
 * Node's parser refused the request before any handler ran (oversized head, conflicting
 * framing, garbage). Answer with problem+json on the raw socket and close it: after a framing
 * error nothing else on this connection can be trusted.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): ErrorCode | null {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return null;
  }
  const code = clientErrorCode(err.code);
  const requestId = randomUUID();
  const body = JSON.stringify(problem(code, requestId));
  const { status, title } = ERROR_CATALOGUE[code];
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
  return code;
}
