import type { Problem } from './types';

/** What a server action hands back to the client form that called it. */
export type ActionResult<T = undefined> = { ok: true; data: T } | { ok: false; problem: Problem };

export const ok = <T>(data: T): ActionResult<T> => ({ ok: true, data });
export const fail = (problem: Problem): ActionResult<never> => ({ ok: false, problem });
