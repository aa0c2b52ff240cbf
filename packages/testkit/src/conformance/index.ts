/**
 * The configuration-store conformance suite: one set of checks every backend of `ConfigStore` passes (SQLite,
 * PostgreSQL, MariaDB/MySQL, the HTTP bridge client...).
 *
 * Conventions the suite pins down:
 * - records are compared after dropping null and undefined fields, so an absent optional field may come back as
 *   `null` or be left out (the SQL store always returns `null`);
 * - dates are given in canonical `toISOString()` form and must come back unchanged;
 * - update and findById of unknown ids: STORAGE_NOT_FOUND and undefined; delete of an unknown id is a no-op;
 * - create with a taken id or unique key: STORAGE_CONFLICT;
 * - list criteria combine with AND, and an empty list criterion matches nothing;
 * - orders: organizations, environments, apis and applications by name then id (code-point order); plans by
 *   order, name, id; users, subscriptions and api keys by createdAt then id; events oldest first (createdAt, id);
 *   deployments newest revision first; findLatestByApi keeps the greatest (createdAt, id) per API, oldest first;
 * - pages are 1-based, 20 items by default, at most 1000.
 *
 * Every test creates its own uniquely-id'd data, so the suite can run on a shared database.
 */
import type { ConfigStore } from '@apim/core';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeApiKeyConformance } from './api-keys.js';
import { describeApiConformance } from './apis.js';
import { describeApplicationConformance } from './applications.js';
import { describeDeploymentConformance } from './deployments.js';
import { describeEventConformance } from './events.js';
import { describeOrganizationConformance } from './organizations.js';
import { describePlanConformance } from './plans.js';
import type { ConformanceContext } from './records.js';
import { describeSubscriptionConformance } from './subscriptions.js';
import { describeTransactionConformance } from './transactions.js';
import { describeUserConformance } from './users.js';

export type { CrudCase, CrudRepository } from './crud.js';
export { describeCrud } from './crud.js';
export * as conformanceRecords from './records.js';

/**
 * Declares the conformance suite of a ConfigStore backend. `factory` runs once before the tests and the store it
 * returns is closed after them.
 *
 * @example
 * describeConfigStoreConformance('sqlite memory', () => createConfigStore({ url: 'sqlite::memory:' }));
 */
export function describeConfigStoreConformance(name: string, factory: () => Promise<ConfigStore>): void {
  describe(`ConfigStore conformance: ${name}`, () => {
    let store: ConfigStore | undefined;
    beforeAll(async () => {
      store = await factory();
    });
    afterAll(async () => {
      await store?.close();
    });
    const ctx: ConformanceContext = {
      get store() {
        if (!store) throw new Error('The store factory has not run (or failed).');
        return store;
      },
    };
    describeOrganizationConformance(ctx);
    describeUserConformance(ctx);
    describeApiConformance(ctx);
    describePlanConformance(ctx);
    describeApplicationConformance(ctx);
    describeSubscriptionConformance(ctx);
    describeApiKeyConformance(ctx);
    describeDeploymentConformance(ctx);
    describeEventConformance(ctx);
    describeTransactionConformance(ctx);
  });
}
