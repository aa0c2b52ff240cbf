import type { FastifyInstance } from 'fastify';
import { ManagementError } from '../http/errors.js';
import type { BasicAuthenticator } from './basic-authenticator.js';
import { adminOnly, type PermissionChecker, type RequiredPermission } from './permissions.js';

const ADMIN: RequiredPermission = { scope: 'ORGANIZATION', name: 'ORGANIZATION_ADMIN', action: 'UPDATE' };

/**
 * Authenticates every non-public route (HTTP Basic; 401 with `WWW-Authenticate: Basic realm="apim"`), then checks the
 * route's declared permission (403). Runs on `onRequest`, before the body is read, so anonymous clients cannot make
 * the server parse anything. Unknown routes require credentials too, so they reveal nothing.
 */
export function installSecurity(
  app: FastifyInstance,
  authenticator: BasicAuthenticator,
  checker: PermissionChecker = adminOnly,
): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config?.public) return;
    const principal = await authenticator.authenticate(request.headers.authorization);
    if (!principal) {
      throw new ManagementError('MANAGEMENT_UNAUTHORIZED', 'Full authentication is required to access this resource.');
    }
    request.principal = principal;
    const required = config?.permission ?? ADMIN;
    if (!(await checker(principal, required, request))) {
      throw new ManagementError(
        'MANAGEMENT_FORBIDDEN',
        `You do not have sufficient rights to access this resource (${required.name}[${required.action}]).`,
        'MANAGEMENT_FORBIDDEN',
        { permission: `${required.name}[${required.action}]` },
      );
    }
  });
}
