import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfigStore } from '@apim/repository-sql';
import { describeConfigStoreConformance } from '@apim/testkit';
import { afterAll, describe } from 'vitest';
import { FreshDatabase } from './fresh-database.js';

const POSTGRES_URL = process.env.APIM_TEST_POSTGRES_URL;
const MYSQL_URL = process.env.APIM_TEST_MYSQL_URL;

describe('SQLite file', () => {
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  describeConfigStoreConformance('sqlite file', () => {
    dir = mkdtempSync(join(tmpdir(), 'apim-sql-conformance-'));
    return createConfigStore({ url: `sqlite:${join(dir, 'nested', 'apim.db')}` });
  });
});

describeConfigStoreConformance('sqlite memory', () => createConfigStore({ url: 'sqlite::memory:' }));

describe.skipIf(!POSTGRES_URL)('PostgreSQL (APIM_TEST_POSTGRES_URL)', () => {
  const database = new FreshDatabase('postgres', POSTGRES_URL ?? '');
  afterAll(() => database.drop());
  describeConfigStoreConformance('postgres', async () => createConfigStore({ url: await database.url() }));
});

describe.skipIf(!MYSQL_URL)('MariaDB/MySQL (APIM_TEST_MYSQL_URL)', () => {
  const database = new FreshDatabase('mysql', MYSQL_URL ?? '');
  afterAll(() => database.drop());
  describeConfigStoreConformance('mysql', async () => createConfigStore({ url: await database.url() }));
});
