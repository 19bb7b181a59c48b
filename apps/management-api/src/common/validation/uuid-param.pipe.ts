import { Injectable, type PipeTransform } from '@nestjs/common';
import { AppError } from '@apim/errors';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID_RE.test(v);
}

/**
 * A path id that is not a uuid names nothing: answer 404 like any missing resource (and never let
 * Postgres reject the cast with a 500).
 */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUuid(value)) throw new AppError('not_found');
    return value.toLowerCase();
  }
}
