import { z } from 'zod';
import { nullableTimestamp, timestamp, uuid } from './common';

export const MAX_OVERLAP_SECONDS = 30 * 24 * 3600;

const futureTimestamp = z.iso
  .datetime({ offset: true })
  .refine((v) => Date.parse(v) > Date.now(), 'must be in the future')
  .transform((v) => new Date(v));

export const createKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    expiresAt: futureTimestamp.nullish(),
  })
  // An empty POST (no body at all) means "a key with defaults".
  .optional()
  .transform((v) => v ?? {});
export type CreateKeyBody = z.output<typeof createKeyBody>;

export const rotateKeyBody = z.strictObject({
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_OVERLAP_SECONDS)
    .describe('How long the old key keeps working (0 = stops now)'),
  name: z.string().trim().min(1).max(100).optional().describe("Name of the new key (default: the old key's name)"),
  expiresAt: futureTimestamp.nullish().describe('Expiry of the new key (default: none)'),
});
export type RotateKeyBody = z.output<typeof rotateKeyBody>;

export const keyStatus = z.enum(['active', 'revoked', 'expired']);

export const keyListItem = z.object({
  id: uuid,
  prefix: z.string(),
  name: z.string(),
  status: keyStatus,
  expiresAt: nullableTimestamp,
  revokedAt: nullableTimestamp,
  lastUsedAt: nullableTimestamp,
  rotatedFromId: uuid.nullable(),
  createdAt: timestamp,
});
export type KeyListItem = z.infer<typeof keyListItem>;

/** The only response that ever carries the secret. */
export const createdKeyResponse = z.object({
  id: uuid,
  prefix: z.string(),
  key: z.string().describe('The API key. Shown once; only its hash is stored.'),
  name: z.string(),
  expiresAt: nullableTimestamp,
  createdAt: timestamp,
  rotatedFromId: uuid.nullable(),
});
export type CreatedKeyResponse = z.infer<typeof createdKeyResponse>;
export type KeyStatus = z.infer<typeof keyStatus>;
