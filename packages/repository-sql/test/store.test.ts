import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfigStore, MIGRATION_NAMES } from '@apim/repository-sql';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

describe('SQLite store', () => {
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('migrates once, reopens an existing file, and keeps its data', async () => {
    dir = mkdtempSync(join(tmpdir(), 'apim-sql-store-'));
    const file = join(dir, 'reopen', 'apim.db');
    const now = new Date().toISOString();
    const first = await createConfigStore({ url: `sqlite:${file}` });
    expect(first.kind).toBe('sqlite');
    await first.organizations.create({ id: 'DEFAULT', name: 'Default', createdAt: now, updatedAt: now });
    await first.close();
    await first.close();

    const second = await createConfigStore({ url: `file:${file}` });
    expect((await second.organizations.findById('DEFAULT'))?.name).toBe('Default');
    await second.close();

    const raw = new Database(file, { readonly: true });
    const applied = raw.prepare('select name from apim_migrations order by name').all() as { name: string }[];
    expect(applied.map((m) => m.name)).toEqual([...MIGRATION_NAMES]);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('rejects dates that are not dates', async () => {
    const store = await createConfigStore({ url: 'sqlite::memory:' });
    await expect(
      store.organizations.create({ id: 'o', name: 'o', createdAt: 'soon', updatedAt: 'later' }),
    ).rejects.toMatchObject({ code: 'MANAGEMENT_VALIDATION_FAILED' });
    await store.close();
  });

  it('fails with STORAGE_UNAVAILABLE after close', async () => {
    const store = await createConfigStore({ url: 'sqlite::memory:' });
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
  });
});
