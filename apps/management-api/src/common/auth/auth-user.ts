import type { ConsumerStatus, TeamRole, UserRole } from '@apim/db';

/** The caller, as resolved from a valid, unrevoked session. */
export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  /** The team (consumer) the developer acts in: null for staff, and for a developer in no team. */
  consumerId: string | null;
  consumerStatus: ConsumerStatus | null;
  /** The developer's role in that team (null for staff). */
  teamRole: TeamRole | null;
  sessionId: string;
}

/**
 * Whose rows a query may touch. The repositories of consumer-owned rows (consumers, apps,
 * subscriptions, keys, usage, webhooks through `webhookScopeOf`) take one of these on every read
 * and write and put it in the WHERE, so a developer's request can never reach another consumer's
 * rows, even where a service forgets to check first. Team and notification queries take the
 * team's consumer id itself; the catalogue (APIs, plans), users and audit log are staff-only.
 * Services get it from the request's `Caller`, never build it from a route.
 */
export type Owner = { readonly all: true } | { readonly all: false; readonly consumerId: string };

export const EVERY_OWNER: Owner = Object.freeze({ all: true });

export function consumerOwner(consumerId: string): Owner {
  return Object.freeze({ all: false, consumerId });
}

/**
 * The owner as one SQL parameter: null for every owner, else the consumer id. Raw queries scope by
 * it with `($n::uuid IS NULL OR <consumer_id column> = $n)`.
 */
export function ownerParam(owner: Owner): string | null {
  return owner.all ? null : owner.consumerId;
}

/** Whether the owner may touch a row of this consumer. */
export function owns(owner: Owner, consumerId: string | null): boolean {
  return owner.all || owner.consumerId === consumerId;
}

/** Developers see their own consumer; admin and finance see everything. */
export function ownerOf(user: AuthUser): Owner {
  if (user.role === 'developer') {
    // A developer always has a consumer (users_developer_has_consumer); guard anyway.
    return consumerOwner(user.consumerId ?? '00000000-0000-0000-0000-000000000000');
  }
  return EVERY_OWNER;
}
