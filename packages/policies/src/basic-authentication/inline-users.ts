import type { PolicyLogger, PolicyResource } from '@apim/core';
import { type PasswordVerifier, parsePassword } from './password-hash.js';

/** Gravitee's inline authentication provider resource type. */
export const INLINE_PROVIDER_TYPE = 'auth-provider-inline-resource';

export interface InlineUser {
  username: string;
  roles: readonly string[];
  verifier: PasswordVerifier;
}

/** One provider: its users by lower-cased username (Gravitee matches usernames case-insensitively). */
export interface InlineProvider {
  name: string;
  users: ReadonlyMap<string, InlineUser>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseUser(raw: unknown, where: string): InlineUser {
  if (!isRecord(raw)) throw new Error(`${where} must be an object`);
  const { username, password, roles } = raw;
  if (typeof username !== 'string' || username === '') throw new Error(`${where}.username must be a non-empty string`);
  if (username.includes(':')) throw new Error(`${where}.username must not contain ':'`);
  if (typeof password !== 'string' || password === '') throw new Error(`${where}.password must be a non-empty string`);
  if (/\{\s*[#T(]/.test(password)) throw new Error(`${where}.password: EL expressions are not supported`);
  if (roles !== undefined && (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')))
    throw new Error(`${where}.roles must be a list of strings`);
  return {
    username,
    roles: (roles as string[] | undefined) ?? [],
    verifier: parsePassword(password, `${where}.password`),
  };
}

/**
 * Resolves the named resources into user tables, at deploy time. Throws for a missing, disabled or unsupported
 * resource and for a malformed user; warns once per provider holding plain-text passwords.
 */
export function resolveProviders(
  names: readonly string[],
  resources: readonly PolicyResource[],
  logger: PolicyLogger,
): InlineProvider[] {
  return names.map((name, index) => {
    const where = `authenticationProviders[${index}]`;
    const resource = resources.find((r) => r.name === name);
    if (resource === undefined) throw new Error(`${where}: the API has no resource named '${name}'`);
    if (!resource.enabled) throw new Error(`${where}: the resource '${name}' is disabled`);
    if (resource.type !== INLINE_PROVIDER_TYPE)
      throw new Error(
        `${where}: the resource '${name}' has type '${resource.type}'; only ${INLINE_PROVIDER_TYPE} is supported`,
      );
    const rawUsers = resource.configuration?.users;
    if (!Array.isArray(rawUsers)) throw new Error(`resource '${name}': users must be a list`);
    const users = new Map<string, InlineUser>();
    rawUsers.forEach((raw, i) => {
      const user = parseUser(raw, `resource '${name}': users[${i}]`);
      const key = user.username.toLowerCase();
      if (!users.has(key)) users.set(key, user);
    });
    const plain = [...users.values()].filter((u) => u.verifier.kind === 'plain').length;
    if (plain > 0)
      logger.warn(
        { resource: name, users: plain },
        `basic-authentication: resource '${name}' holds ${plain} plain-text password(s); prefer scrypt hashes`,
      );
    return { name, users };
  });
}
