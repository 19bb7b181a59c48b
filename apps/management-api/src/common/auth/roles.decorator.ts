import { SetMetadata } from '@nestjs/common';
import type { UserRole } from '@apim/db';

export const ROLES_KEY = 'apim:roles';
export const PUBLIC_KEY = 'apim:public';

/** Only these roles may call the route (on a class: every route of the controller). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);

/** No token needed (health, signup, login, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
