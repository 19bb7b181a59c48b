/**
 * The error catalogue: one stable machine code per problem, with its HTTP status and public
 * title. Services throw `AppError` with a code; each app maps it to RFC 9457 problem+json in one
 * place. Internal messages never reach a response body.
 */
export const ERROR_CATALOGUE = {
  validation_failed: { status: 400, title: 'Validation failed' },
  bad_request: { status: 400, title: 'Bad request' },
  request_smuggling: { status: 400, title: 'Conflicting message framing' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  invalid_credentials: { status: 401, title: 'Invalid email or password' },
  key_missing: { status: 401, title: 'API key missing' },
  key_invalid: { status: 401, title: 'API key invalid' },
  forbidden: { status: 403, title: 'Forbidden' },
  consumer_suspended: { status: 403, title: 'Consumer suspended' },
  consumer_pending: { status: 403, title: 'Consumer pending approval' },
  api_not_in_plan: { status: 403, title: 'API not included in the plan' },
  not_found: { status: 404, title: 'Not found' },
  route_not_found: { status: 404, title: 'No API matches this path' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  request_timeout: { status: 408, title: 'Request timeout' },
  conflict: { status: 409, title: 'Conflict' },
  limit_reached: { status: 409, title: 'Limit reached' },
  length_required: { status: 411, title: 'Length required' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  too_many_attempts: { status: 429, title: 'Too many attempts' },
  rate_limited: { status: 429, title: 'Rate limit exceeded' },
  quota_exceeded: { status: 429, title: 'Monthly quota exceeded' },
  invalid_key_rate_limited: { status: 429, title: 'Too many invalid API keys' },
  headers_too_large: { status: 431, title: 'Request header fields too large' },
  internal_error: { status: 500, title: 'Internal error' },
  upstream_unavailable: { status: 502, title: 'Upstream unavailable' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  rate_limiter_unavailable: { status: 503, title: 'Rate limiter unavailable' },
  key_store_unavailable: { status: 503, title: 'Key store unavailable' },
  upstream_timeout: { status: 504, title: 'Upstream timeout' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://apim.dev/problems/';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** Public, safe to show to the caller. */
    readonly detail: string = ERROR_CATALOGUE[code].title,
    readonly errors?: FieldError[],
    /** Extra response headers (e.g. Retry-After). */
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}

export function problem(code: ErrorCode, requestId: string, detail?: string, errors?: FieldError[]): Problem {
  const { status, title } = ERROR_CATALOGUE[code];
  return {
    type: TYPE_BASE + code.replace(/_/g, '-'),
    title,
    status,
    detail: detail ?? title,
    code,
    requestId,
    ...(errors && errors.length ? { errors } : {}),
  };
}

/** Field errors from a zod error (or anything shaped like one), paths joined with dots. */
export function fieldErrors(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): FieldError[] {
  return issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message }));
}
