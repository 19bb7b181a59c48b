import type { ConsumerResponse, UserResponse } from '@apim/contracts/management';
import type { ConsumerEntity, UserEntity } from '@apim/db';
import { iso } from './dto';

/** Response mappers shared by several modules (auth answers with a user and its consumer). */
export function toConsumerResponse(c: ConsumerEntity): ConsumerResponse {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    organization: c.organization,
    status: c.status,
    costCenter: c.costCenter,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export function toUserResponse(u: UserEntity): UserResponse {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    status: u.status,
    consumerId: u.consumerId,
    lastLoginAt: iso(u.lastLoginAt),
    createdAt: iso(u.createdAt),
  };
}
