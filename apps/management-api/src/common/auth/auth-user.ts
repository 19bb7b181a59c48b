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
 * Whose rows a query may touch. Repositories take one of these on every read and write, so a
 * developer's request can never reach another consumer's rows by forgetting a filter.
 */
export type Owner = { readonly all: true } | { readonly all: false; readonly consumerId: string };

export const EVERY_OWNER: Owner = { all: true };

export function consumerOwner(consumerId: string): Owner {
  return { all: false, consumerId };
}

/** Developers see their own consumer; admin and finance see everything. */
export function ownerOf(user: AuthUser): Owner {
  if (user.role === 'developer') {
    // A developer always has a consumer (users_developer_has_consumer); guard anyway.
    return consumerOwner(user.consumerId ?? '00000000-0000-0000-0000-000000000000');
  }
  return EVERY_OWNER;
}
