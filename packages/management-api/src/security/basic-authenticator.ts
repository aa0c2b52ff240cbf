import { createHash } from 'node:crypto';
import type { ConfigStore } from '@apim/core';
import { generatePassword, hashPassword, verifyPassword } from './password.js';

/** Who is calling: the authenticated user and the organization-scope roles the permission check reads. */
export interface Principal {
  userId: string;
  login: string;
  organizationId: string;
  roles: string[];
}

export interface BasicAuthenticatorOptions {
  /** Organization whose local (`memory`) users may log in; default `DEFAULT`. */
  organizationId?: string;
  /** How long a successful verification is remembered; default 60 s (0 disables the cache). */
  cacheTtlMs?: number;
  /** Most remembered verifications; default 1000 (least recently used go first). */
  cacheSize?: number;
}

interface CacheEntry {
  principal: Principal;
  expiresAt: number;
}

/** Splits an `Authorization: Basic base64(login:password)` header (RFC 7617). */
export function parseBasicAuthorization(header: string | undefined): { login: string; password: string } | undefined {
  const match = /^Basic[ \t]+([A-Za-z0-9+/=_-]+)[ \t]*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Verifies HTTP Basic credentials against the local users of the store. scrypt makes every verification cost tens
 * of milliseconds, so successes are remembered for a short while in a small LRU keyed by a SHA-256 of the user id,
 * its current password hash and the given password: a password change invalidates the entry at once, and the
 * clear password is never kept. Unknown logins still pay one scrypt run, so timing does not reveal which exist.
 */
export class BasicAuthenticator {
  readonly #store: ConfigStore;
  readonly #organizationId: string;
  readonly #ttl: number;
  readonly #size: number;
  readonly #cache = new Map<string, CacheEntry>();
  #dummyHash: Promise<string> | undefined;

  constructor(store: ConfigStore, options: BasicAuthenticatorOptions = {}) {
    this.#store = store;
    this.#organizationId = options.organizationId ?? 'DEFAULT';
    this.#ttl = options.cacheTtlMs ?? 60_000;
    this.#size = options.cacheSize ?? 1000;
  }

  /** The principal of valid credentials, or undefined (missing header, unknown login, wrong password, inactive user). */
  async authenticate(authorization: string | undefined): Promise<Principal | undefined> {
    const credentials = parseBasicAuthorization(authorization);
    if (!credentials) return undefined;
    const user = await this.#store.users.findBySource(this.#organizationId, 'memory', credentials.login);
    if (!user?.passwordHash || user.status !== 'ACTIVE') {
      this.#dummyHash ??= hashPassword(generatePassword());
      await verifyPassword(credentials.password, await this.#dummyHash);
      return undefined;
    }
    const key = createHash('sha256')
      .update(`${user.id}\u0000${user.passwordHash}\u0000${credentials.password}`)
      .digest('base64');
    const cached = this.#cache.get(key);
    const now = Date.now();
    if (cached && cached.expiresAt > now) {
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return { ...cached.principal, roles: [...user.roles] };
    }
    if (cached) this.#cache.delete(key);
    if (!(await verifyPassword(credentials.password, user.passwordHash))) return undefined;
    const principal: Principal = {
      userId: user.id,
      login: credentials.login,
      organizationId: user.organizationId,
      roles: [...user.roles],
    };
    if (this.#ttl > 0) {
      this.#cache.set(key, { principal, expiresAt: now + this.#ttl });
      if (this.#cache.size > this.#size) this.#cache.delete(this.#cache.keys().next().value!);
    }
    return principal;
  }

  /** Forgets every remembered verification. */
  clear(): void {
    this.#cache.clear();
  }
}
