import { SetMetadata } from '@nestjs/common';

export const ADMIN_ONLY = 'tiergate:admin-only';

/**
 * Marks an operator endpoint (`/v1/providers`, `/v1/analytics`): a key with `role: admin` only.
 * No or an unknown key is the usual 401; a client key is 403 `admin_required`. With
 * `auth.mode: disabled` it is open, like every route.
 */
export const AdminOnly = (): ClassDecorator & MethodDecorator => SetMetadata(ADMIN_ONLY, true);
