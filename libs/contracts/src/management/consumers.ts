import { z } from 'zod';
import { email, name, nonEmptyPatch, nullableTimestamp, paginationQuery, timestamp, uuid } from './common';

export const consumerStatus = z.enum(['active', 'suspended', 'pending']);
const costCenter = z.string().trim().min(1).max(100).nullable();

export const createConsumerBody = z.strictObject({
  name,
  email: email.nullish(),
  organization: z.string().trim().max(200).nullish(),
  costCenter: costCenter.optional(),
});
export type CreateConsumerBody = z.output<typeof createConsumerBody>;

export const updateConsumerBody = nonEmptyPatch(
  z.strictObject({ status: consumerStatus.optional(), costCenter: costCenter.optional(), name: name.optional() }),
);
export type UpdateConsumerBody = z.output<typeof updateConsumerBody>;

export const listConsumersQuery = paginationQuery.extend({
  q: z.string().trim().max(200).optional().describe('Matches name, email or organization (case-insensitive)'),
  status: consumerStatus.optional(),
});
export type ListConsumersQuery = z.output<typeof listConsumersQuery>;

export const consumerResponse = z.object({
  id: uuid,
  name: z.string(),
  email: z.string().nullable(),
  organization: z.string().nullable(),
  status: consumerStatus,
  costCenter: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: nullableTimestamp,
});
export type ConsumerResponse = z.infer<typeof consumerResponse>;
export type ConsumerStatus = z.infer<typeof consumerStatus>;
