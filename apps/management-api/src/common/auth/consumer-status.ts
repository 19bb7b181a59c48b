import { AppError } from '@apim/errors';
import type { AuthUser } from './auth-user';

/**
 * Pending or suspended developers may sign in and look around, but may not create apps or mint
 * keys: 403 consumer_pending / consumer_suspended. Staff are not limited here.
 */
export function assertMayProvision(user: AuthUser): void {
  if (user.role !== 'developer') return;
  if (user.consumerStatus === 'pending')
    throw new AppError(
      'consumer_pending',
      'Your account is waiting for approval; apps and keys can be created once it is approved',
    );
  if (user.consumerStatus === 'suspended')
    throw new AppError('consumer_suspended', 'Your account is suspended; contact the API team');
}
