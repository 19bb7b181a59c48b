import type { ValueTransformer } from 'typeorm';

/** `bigint` counters come back from pg as strings; every count we keep fits in a JS number. */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
