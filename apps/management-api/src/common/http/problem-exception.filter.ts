import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { AppError, type ErrorCode, fieldErrors } from '@apim/errors';
import type { Logger } from '@apim/observability';
import { ZodError } from 'zod';
import { mapDatabaseError } from '../db/pg-errors';
import { sendProblem } from './problem-response';
import type { ApiRequest, ApiResponse } from './request';

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_attempts',
  503: 'service_unavailable',
};

/**
 * The one place errors become HTTP: domain errors (AppError) keep their code, validation errors
 * list their fields, Nest's own exceptions (unknown route, …) get the matching code, and anything
 * else is a 500 whose details stay in the log.
 */
@Catch()
export class ProblemExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(thrown: unknown, host: ArgumentsHost): void {
    // Database errors a client can cause (unique clash, malformed value) outside a UnitOfWork too.
    const exception = mapDatabaseError(thrown);
    const http = host.switchToHttp();
    const req = http.getRequest<ApiRequest>();
    const res = http.getResponse<ApiResponse>();
    const requestId = req.requestId ?? 'unknown';

    if (exception instanceof AppError) {
      return sendProblem(res, exception.code, requestId, exception.detail, exception.errors, exception.headers);
    }
    if (exception instanceof ZodError) {
      return sendProblem(res, 'validation_failed', requestId, 'The request is invalid', fieldErrors(exception.issues));
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = STATUS_CODES[status];
      if (status === 404) {
        return sendProblem(
          res,
          'not_found',
          requestId,
          `No route for ${req.method} ${(req.originalUrl ?? req.url ?? '').split('?')[0]}`,
        );
      }
      if (code) return sendProblem(res, code, requestId);
    }
    this.logger.error(
      { err: exception, requestId, method: req.method, url: req.originalUrl ?? req.url },
      'unhandled error',
    );
    sendProblem(res, 'internal_error', requestId, 'Something went wrong; quote the request id when reporting it');
  }
}
