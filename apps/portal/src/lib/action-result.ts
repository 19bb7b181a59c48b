import type { FieldError } from '@apim/contracts/management';

export type { FieldError };

/**
 * RFC 9457 problem details as the management API answers them; the portal also makes some of its
 * own (an unreachable API, a form refused before it is sent), hence the optional members.
 */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  requestId?: string;
  errors?: FieldError[];
}

/** What a server action hands back to the client form that called it. */
export type ActionResult<T = undefined> = { ok: true; data: T } | { ok: false; problem: Problem };

export const ok = <T>(data: T): ActionResult<T> => ({ ok: true, data });
export const fail = (problem: Problem): ActionResult<never> => ({ ok: false, problem });
