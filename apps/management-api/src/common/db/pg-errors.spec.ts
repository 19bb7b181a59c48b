import { AppError } from '@apim/errors';
import { describe, expect, it } from 'vitest';
import { mapDatabaseError } from './pg-errors';

describe('mapDatabaseError', () => {
  it('maps unique violations to 409 naming the field', () => {
    const e = mapDatabaseError({ driverError: { code: '23505', constraint: 'apis_route_path_key' } }) as AppError;
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('conflict');
    expect(e.errors).toEqual([{ field: 'routePath', message: 'already in use' }]);
    expect((mapDatabaseError({ code: '23505', constraint: 'users_email_key' }) as AppError).errors?.[0].field).toBe(
      'email',
    );
    expect((mapDatabaseError({ code: '23505', constraint: 'something_else' }) as AppError).errors?.[0].field).toBe(
      'id',
    );
  });

  it('maps foreign-key violations to 400 and passes everything else through', () => {
    expect((mapDatabaseError({ code: '23503' }) as AppError).code).toBe('validation_failed');
    expect((mapDatabaseError({ driverError: { code: '22P02' } }) as AppError).code).toBe('validation_failed');
    const other = new Error('boom');
    expect(mapDatabaseError(other)).toBe(other);
    const app = new AppError('not_found');
    expect(mapDatabaseError(app)).toBe(app);
  });
});
