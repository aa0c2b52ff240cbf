import type { FastifyRequest } from 'fastify';
import type { Principal } from './basic-authenticator.js';

/** The scope a permission is granted at, as in Gravitee's role model. */
export type PermissionScope = 'ORGANIZATION' | 'ENVIRONMENT' | 'API' | 'APPLICATION';
export type PermissionAction = 'CREATE' | 'READ' | 'UPDATE' | 'DELETE';

/** What a route needs, e.g. `{ scope: 'API', name: 'API_PLAN', action: 'CREATE' }` (Gravitee's API_PLAN[CREATE]). */
export interface RequiredPermission {
  scope: PermissionScope;
  name: string;
  action: PermissionAction;
}

/**
 * Decides whether a principal may call a route. It receives the request, so a role-based checker can read the
 * environment and API ids from the path parameters.
 */
export type PermissionChecker = (
  principal: Principal,
  required: RequiredPermission,
  request: FastifyRequest,
) => boolean | Promise<boolean>;

/** The checker of this first slice: the organization role `ADMIN` may do everything, nobody else anything. */
export const adminOnly: PermissionChecker = (principal) => principal.roles.includes('ADMIN');

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission the route requires; authenticated routes without one require the ADMIN role. */
    permission?: RequiredPermission;
    /** The route answers without credentials (health probes). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The authenticated caller (set by the security hook on every non-public route). */
    principal?: Principal;
  }
}

/**
 * Route config requiring a permission.
 *
 * @example
 * app.post('/apis', { config: requires('ENVIRONMENT', 'ENVIRONMENT_API', 'CREATE') }, handler);
 */
export function requires(
  scope: PermissionScope,
  name: string,
  action: PermissionAction,
): { permission: RequiredPermission } {
  return { permission: { scope, name, action } };
}
