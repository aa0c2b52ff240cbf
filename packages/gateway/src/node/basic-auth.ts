/**
 * Authentication of the node service: HTTP Basic against a fixed set of users (RFC 7617), or none.
 *
 * Passwords are kept only as SHA-256 digests and compared in constant time; an unknown user costs the same
 * comparison as a known one, so timing tells nothing about which users exist.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Who may call the node service. */
export type NodeAuthentication =
  | {
      type: 'basic';
      /** Usernames and their passwords. */
      users: Readonly<Record<string, string>>;
    }
  | { type: 'none' };

/** Decides whether a request's `Authorization` header is accepted. */
export type NodeAuthenticator = (authorization: string | undefined) => boolean;

/** The `WWW-Authenticate` challenge sent with a 401 (RFC 7617 section 2). */
export const BASIC_CHALLENGE = 'Basic realm="APIM gateway node", charset="UTF-8"';

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Builds the authenticator of a node service configuration.
 *
 * @example
 * const authenticate = createNodeAuthenticator({ type: 'basic', users: { admin: 's3cret' } });
 * authenticate(`Basic ${Buffer.from('admin:s3cret').toString('base64')}`); // true
 */
export function createNodeAuthenticator(authentication: NodeAuthentication): NodeAuthenticator {
  if (authentication.type === 'none') return () => true;
  const digests = new Map<string, Buffer>();
  for (const [user, password] of Object.entries(authentication.users)) {
    if (user.includes(':')) throw new Error(`node service user [${user}] must not contain ':'`);
    if (typeof password !== 'string' || password.length === 0) {
      throw new Error(`node service user [${user}] has no password`);
    }
    digests.set(user, sha256(password));
  }
  // Compared against when the user is unknown, so that both paths do the same work.
  const nobody = sha256(`unknown user ${Math.random()}`);
  return (authorization) => {
    const credentials = parseBasic(authorization);
    if (credentials === undefined) return false;
    const expected = digests.get(credentials.user);
    const matches = timingSafeEqual(sha256(credentials.password), expected ?? nobody);
    return matches && expected !== undefined;
  };
}

/** Splits a `Basic` credentials header into user and password; undefined when malformed. */
function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
