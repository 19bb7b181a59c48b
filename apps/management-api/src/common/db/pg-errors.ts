import { AppError } from '@apim/errors';

/** Unique indexes → the request field that clashed. */
const UNIQUE_FIELDS: Record<string, string> = {
  apis_slug_key: 'slug',
  apis_route_path_key: 'routePath',
  plans_slug_key: 'slug',
  users_email_key: 'email',
  api_keys_hash_key: 'key',
};

interface PgError {
  code?: string;
  constraint?: string;
  driverError?: PgError;
}

/**
 * Turns the Postgres errors a client can cause into domain errors: a unique clash is a 409 naming
 * the field, a broken foreign key a 400. Everything else passes through (and becomes a 500).
 */
export function mapDatabaseError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const pg = ((err as PgError)?.driverError ?? err) as PgError;
  if (pg?.code === '23505') {
    const field = (pg.constraint && UNIQUE_FIELDS[pg.constraint]) || 'id';
    return new AppError('conflict', `Another record already uses this ${field}`, [
      { field, message: 'already in use' },
    ]);
  }
  if (pg?.code === '23503') {
    return new AppError('validation_failed', 'A referenced record does not exist', [
      { field: 'id', message: 'unknown reference' },
    ]);
  }
  if (pg?.code === '22P02' || pg?.code === '22003') {
    // Bad text representation / out of range: a value our validation should have caught.
    return new AppError('validation_failed', 'A value has the wrong format', [
      { field: '(request)', message: 'invalid value' },
    ]);
  }
  if (pg?.code === '57014') {
    // statement_timeout (report queries): the query was cancelled, the server is fine.
    return new AppError(
      'service_unavailable',
      'The query took too long and was cancelled; narrow the range or add filters',
    );
  }
  return err;
}
