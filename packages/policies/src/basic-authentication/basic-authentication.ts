import type { ExecutionContext, PolicyFactoryContext, PolicyInstance } from '@apim/core';
import { type InlineProvider, type InlineUser, resolveProviders } from './inline-users.js';
import { verifyPassword } from './password-hash.js';
import type { BasicAuthenticationConfig } from './schema.js';
import { VerificationCache } from './verification-cache.js';

/** The error key of missing or refused credentials (usable in response templates). */
export const BASIC_AUTHENTICATION_UNAUTHORIZED = 'BASIC_AUTHENTICATION_UNAUTHORIZED';

/** Gravitee's attribute holding the authenticated user name (`#context.attributes['user']`). */
export const ATTR_USER = 'gravitee.attribute.user';
/** The roles of the authenticated user, when the provider lists some (an addition of this platform). */
export const ATTR_USER_ROLES = 'gravitee.attribute.user.roles';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The credentials of an `Authorization: Basic` header (RFC 7617): undefined when the header is missing, of
 * another scheme, not base64, or without a `user:password` pair.
 */
export function parseBasicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value.length < 6 || value.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const encoded = value.slice(6).trim();
  if (encoded === '' || encoded.length % 4 === 1 || !BASE64.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator <= 0) return undefined;
  return { username: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
}

/**
 * Builds the instance: providers resolved from the API's resources and passwords parsed once (a missing or
 * unsupported resource fails the deployment). Per request: the Basic credentials are checked against each provider
 * in order; the first that knows the user (case-insensitive) and accepts the password wins, and sets the
 * `gravitee.attribute.user` attribute. Anything else is 401 with `WWW-Authenticate: Basic realm="<realm>"`. The
 * Authorization header is forwarded, as Gravitee does.
 */
export function createBasicAuthentication(
  config: Readonly<BasicAuthenticationConfig>,
  ctx: PolicyFactoryContext,
): PolicyInstance {
  const providers: readonly InlineProvider[] = resolveProviders(
    config.authenticationProviders,
    ctx.resources ?? [],
    ctx.logger,
  );
  const realm = config.realm.trim() === '' ? 'gravitee.io' : config.realm;
  const unauthorized = Object.freeze({
    status: 401,
    key: BASIC_AUTHENTICATION_UNAUTHORIZED,
    message: 'Unauthorized',
    headers: Object.freeze({ 'WWW-Authenticate': `Basic realm="${realm}"` }),
  });
  const cache = new VerificationCache();

  const accepts = async (provider: number, user: InlineUser, password: string): Promise<boolean> => {
    if (user.verifier.kind === 'plain') return verifyPassword(password, user.verifier);
    const key = cache.keyOf(`${provider}\0${user.username}`, password);
    if (cache.has(key)) return true;
    const ok = await verifyPassword(password, user.verifier);
    if (ok) cache.add(key);
    return ok;
  };

  return {
    async onRequest(exec: ExecutionContext): Promise<void> {
      const credentials = parseBasicCredentials(exec.request.headers.getFirst('authorization'));
      if (credentials === undefined) return exec.interrupt(unauthorized);
      for (let i = 0; i < providers.length; i++) {
        const user = providers[i]!.users.get(credentials.username.toLowerCase());
        if (user === undefined || !(await accepts(i, user, credentials.password))) continue;
        exec.attributes.set(ATTR_USER, credentials.username);
        if (user.roles.length > 0) exec.attributes.set(ATTR_USER_ROLES, [...user.roles]);
        return;
      }
      exec.interrupt(unauthorized);
    },
  };
}
