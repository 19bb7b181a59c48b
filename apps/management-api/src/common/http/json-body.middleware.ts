import type { ApiRequest, ApiResponse, Next } from './request';
import { sendProblem } from './problem-response';

export interface BodyLimits {
  /** Default cap for a JSON body, in bytes. */
  defaultBytes: number;
  /** Larger caps for path prefixes (e.g. API definitions carrying OpenAPI documents). */
  overrides: Array<{ pathPrefix: string; bytes: number }>;
}

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

/**
 * Reads and parses JSON bodies ourselves instead of Express's parser, so that too large (413),
 * malformed (400) and non-JSON (415) bodies all answer problem+json with the request id.
 */
export function jsonBodyMiddleware(limits: BodyLimits) {
  return (req: ApiRequest, res: ApiResponse, next: Next): void => {
    const method = req.method ?? 'GET';
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || !hasBody) {
      req.body = undefined;
      return next();
    }
    const type = req.headers['content-type'] ?? '';
    if (!JSON_TYPE.test(type)) {
      req.resume();
      return sendProblem(res, 'unsupported_media_type', req.requestId, 'Send the body as application/json');
    }
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    const limit = limits.overrides.find((o) => path.startsWith(o.pathPrefix))?.bytes ?? limits.defaultBytes;
    const tooLarge = () =>
      sendProblem(res, 'payload_too_large', req.requestId, `The body may not exceed ${limit} bytes`, undefined, {
        connection: 'close',
      });
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      return tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.resume();
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      done = true;
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        req.body = undefined;
        return next();
      }
      try {
        req.body = JSON.parse(text);
      } catch {
        return sendProblem(res, 'bad_request', req.requestId, 'The body is not valid JSON');
      }
      next();
    });
  };
}
