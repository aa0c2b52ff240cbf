import type { ConfigStore } from '@apim/core';
import { createConfigStore } from '@apim/repository-sql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildManagementApi, ensureDefaults, hashPassword, verifyPassword } from '../src/index.js';
import { BASE, basic } from './helpers.js';

let store: ConfigStore;
beforeEach(async () => {
  store = await createConfigStore({ url: 'sqlite::memory:' });
});
afterEach(() => store.close());

async function status(login: string, password: string): Promise<number> {
  const app = await buildManagementApi({ store });
  const res = await app.inject({ method: 'GET', url: BASE, headers: { authorization: basic(login, password) } });
  await app.close();
  return res.statusCode;
}

describe('ensureDefaults', () => {
  it('creates the DEFAULT organization and environment and an admin with a generated password, returned once', async () => {
    const first = await ensureDefaults(store);
    expect(first.organization.id).toBe('DEFAULT');
    expect(first.environment).toMatchObject({ id: 'DEFAULT', organizationId: 'DEFAULT', hrids: ['default'] });
    expect(first.admin).toMatchObject({ source: 'memory', sourceId: 'admin', roles: ['ADMIN'], status: 'ACTIVE' });
    expect(first.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(first.admin.passwordHash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(first.admin.passwordHash).not.toContain(first.generatedPassword);

    const second = await ensureDefaults(store);
    expect(second.generatedPassword).toBeUndefined();
    expect(second.admin.id).toBe(first.admin.id);
    expect(second.admin.passwordHash).toBe(first.admin.passwordHash);
    expect(await store.environments.findAll()).toHaveLength(1);

    expect(await status('admin', first.generatedPassword!)).toBe(200);
    expect(await status('admin', 'guess')).toBe(401);
  });

  it('uses an explicit password, and replaces the hash when that password changes', async () => {
    const first = await ensureDefaults(store, { adminPassword: 'from-env-1' });
    expect(first.generatedPassword).toBeUndefined();
    expect(await status('admin', 'from-env-1')).toBe(200);

    const same = await ensureDefaults(store, { adminPassword: 'from-env-1' });
    expect(same.admin.passwordHash).toBe(first.admin.passwordHash);

    const changed = await ensureDefaults(store, { adminPassword: 'from-env-2' });
    expect(changed.admin.passwordHash).not.toBe(first.admin.passwordHash);
    expect(await status('admin', 'from-env-2')).toBe(200);
    expect(await status('admin', 'from-env-1')).toBe(401);

    // Without the variable, later starts keep the last password and print nothing.
    const later = await ensureDefaults(store);
    expect(later.generatedPassword).toBeUndefined();
    expect(await status('admin', 'from-env-2')).toBe(200);
  });

  it('forgets a cached verification as soon as the password changes', async () => {
    await ensureDefaults(store, { adminPassword: 'one' });
    const app = await buildManagementApi({ store });
    const get = (password: string) =>
      app.inject({ method: 'GET', url: BASE, headers: { authorization: basic('admin', password) } });
    expect((await get('one')).statusCode).toBe(200);
    expect((await get('one')).statusCode).toBe(200);
    await ensureDefaults(store, { adminPassword: 'two' });
    expect((await get('one')).statusCode).toBe(401);
    expect((await get('two')).statusCode).toBe(200);
    await app.close();
  });
});

describe('password hashing', () => {
  it('salts every hash and verifies in constant time', async () => {
    const a = await hashPassword('secret');
    const b = await hashPassword('secret');
    expect(a).not.toBe(b);
    expect(await verifyPassword('secret', a)).toBe(true);
    expect(await verifyPassword('Secret', a)).toBe(false);
    expect(await verifyPassword('secret', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('secret', a.replace('ln=15', 'ln=30'))).toBe(false);
  });
});
