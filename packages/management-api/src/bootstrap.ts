import {
  type ConfigStore,
  ConflictError,
  type Environment,
  newId,
  nowIso,
  type Organization,
  type Repositories,
  type User,
} from '@apim/core';
import { generatePassword, hashPassword, verifyPassword } from './security/password.js';

/** Id of the organization and of the environment every installation starts with. */
export const DEFAULT_ID = 'DEFAULT';
/** Login of the first administrator (a local `memory` user). */
export const ADMIN_LOGIN = 'admin';

export interface EnsureDefaultsOptions {
  /**
   * The admin password (typically `APIM_ADMIN_PASSWORD`). When set it is the source of truth: a stored hash that no
   * longer matches it is replaced. When unset, a password is generated on first creation only.
   */
  adminPassword?: string;
}

export interface EnsureDefaultsResult {
  organization: Organization;
  environment: Environment;
  admin: User;
  /** The password generated for a newly created admin: print it once, it is stored only hashed. */
  generatedPassword?: string;
}

async function ensure(repos: Repositories, adminPassword: string | undefined): Promise<EnsureDefaultsResult> {
  const now = nowIso();
  const organization =
    (await repos.organizations.findById(DEFAULT_ID)) ??
    (await repos.organizations.create({
      id: DEFAULT_ID,
      name: 'Default organization',
      description: 'The organization every installation starts with.',
      createdAt: now,
      updatedAt: now,
    }));
  const environment =
    (await repos.environments.findById(DEFAULT_ID)) ??
    (await repos.environments.create({
      id: DEFAULT_ID,
      organizationId: DEFAULT_ID,
      name: 'Default environment',
      description: 'The environment every installation starts with.',
      hrids: ['default'],
      createdAt: now,
      updatedAt: now,
    }));
  const existing = await repos.users.findBySource(DEFAULT_ID, 'memory', ADMIN_LOGIN);
  if (!existing) {
    const generatedPassword = adminPassword ? undefined : generatePassword();
    const admin = await repos.users.create({
      id: newId(),
      organizationId: DEFAULT_ID,
      source: 'memory',
      sourceId: ADMIN_LOGIN,
      email: null,
      firstname: 'Admin',
      lastname: null,
      passwordHash: await hashPassword(adminPassword ?? generatedPassword!),
      roles: ['ADMIN'],
      status: 'ACTIVE',
      createdAt: now,
      updatedAt: now,
    });
    return { organization, environment, admin, ...(generatedPassword ? { generatedPassword } : {}) };
  }
  if (adminPassword && !(existing.passwordHash && (await verifyPassword(adminPassword, existing.passwordHash)))) {
    const admin = await repos.users.update({
      ...existing,
      passwordHash: await hashPassword(adminPassword),
      updatedAt: now,
    });
    return { organization, environment, admin };
  }
  if (!existing.passwordHash) {
    const generatedPassword = generatePassword();
    const admin = await repos.users.update({
      ...existing,
      passwordHash: await hashPassword(generatedPassword),
      updatedAt: now,
    });
    return { organization, environment, admin, generatedPassword };
  }
  return { organization, environment, admin: existing };
}

/**
 * Creates what a fresh installation needs, idempotently: organization `DEFAULT`, environment `DEFAULT` (hrid
 * `default`) and the local user `admin` with the role ADMIN. Run it at every start.
 *
 * @returns the records, plus `generatedPassword` when an admin was created without `adminPassword` (later starts
 * return none: print it once).
 * @example
 * const { generatedPassword } = await ensureDefaults(store, { adminPassword: process.env.APIM_ADMIN_PASSWORD });
 * if (generatedPassword) console.log(`admin / ${generatedPassword}`);
 */
export async function ensureDefaults(
  store: ConfigStore,
  options: EnsureDefaultsOptions = {},
): Promise<EnsureDefaultsResult> {
  const adminPassword = options.adminPassword || undefined;
  try {
    return await store.transaction((repos) => ensure(repos, adminPassword));
  } catch (error) {
    // Another process bootstrapped at the same moment: its records now exist, so a second pass only reads them.
    if (error instanceof ConflictError) return store.transaction((repos) => ensure(repos, adminPassword));
    throw error;
  }
}
