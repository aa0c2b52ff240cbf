import type { ConfigStore, Repositories } from '@apim/core';
import { type Kysely, sql } from 'kysely';
import { guardRepository, mapStorageError, unavailable } from './errors.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, SILENT_LOGGER, type SqlStoreOptions, type StoreLogger } from './options.js';
import { PgChangeListener } from './pg-listener.js';
import { createApiKeyRepository } from './repositories/api-keys.js';
import { createApiRepository } from './repositories/apis.js';
import { createApplicationRepository } from './repositories/applications.js';
import { createDeploymentRepository } from './repositories/deployments.js';
import { createEnvironmentRepository } from './repositories/environments.js';
import { createEventRepository } from './repositories/events.js';
import { createOrganizationRepository } from './repositories/organizations.js';
import { createPlanRepository } from './repositories/plans.js';
import type { RepositoryContext } from './repositories/shared.js';
import { createSubscriptionRepository } from './repositories/subscriptions.js';
import { createUserRepository } from './repositories/users.js';
import type { Database } from './schema.js';
import type { StoreLocation } from './url.js';

/** Every repository on one Kysely handle (the pool or a transaction), with connection errors mapped. */
export function createRepositories(context: RepositoryContext): Repositories {
  return {
    organizations: guardRepository(createOrganizationRepository(context)),
    environments: guardRepository(createEnvironmentRepository(context)),
    users: guardRepository(createUserRepository(context)),
    apis: guardRepository(createApiRepository(context)),
    plans: guardRepository(createPlanRepository(context)),
    applications: guardRepository(createApplicationRepository(context)),
    subscriptions: guardRepository(createSubscriptionRepository(context)),
    apiKeys: guardRepository(createApiKeyRepository(context)),
    deployments: guardRepository(createDeploymentRepository(context)),
    events: guardRepository(createEventRepository(context)),
  };
}

/**
 * The SQL configuration store. Transactions run on one connection; on SQLite the store has a single connection, so
 * code inside `transaction(fn)` must use the repositories it receives, never the store itself (that would wait for
 * the connection the transaction holds).
 */
export class SqlConfigStore implements ConfigStore {
  readonly kind: StoreLocation['kind'];
  readonly organizations: Repositories['organizations'];
  readonly environments: Repositories['environments'];
  readonly users: Repositories['users'];
  readonly apis: Repositories['apis'];
  readonly plans: Repositories['plans'];
  readonly applications: Repositories['applications'];
  readonly subscriptions: Repositories['subscriptions'];
  readonly apiKeys: Repositories['apiKeys'];
  readonly deployments: Repositories['deployments'];
  readonly events: Repositories['events'];
  private readonly logger: StoreLogger;
  private readonly listeners = new Set<PgChangeListener>();
  private closed: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly location: StoreLocation,
    private readonly options: Omit<SqlStoreOptions, 'url'> = {},
  ) {
    this.kind = location.kind;
    this.logger = options.logger ?? SILENT_LOGGER;
    const repositories = createRepositories({ db, kind: location.kind });
    this.organizations = repositories.organizations;
    this.environments = repositories.environments;
    this.users = repositories.users;
    this.apis = repositories.apis;
    this.plans = repositories.plans;
    this.applications = repositories.applications;
    this.subscriptions = repositories.subscriptions;
    this.apiKeys = repositories.apiKeys;
    this.deployments = repositories.deployments;
    this.events = repositories.events;
  }

  async transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute((trx) => fn(createRepositories({ db: trx, kind: this.kind })));
    } catch (error) {
      throw mapStorageError(error);
    }
  }

  async ping(): Promise<void> {
    try {
      await sql`select 1`.execute(this.db);
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** On PostgreSQL, listens for new events (LISTEN/NOTIFY); other backends have no push signal (undefined). */
  async onChange(listener: () => void): Promise<(() => Promise<void>) | undefined> {
    if (this.location.kind !== 'postgres') return undefined;
    const changes = new PgChangeListener({
      url: this.location.url,
      listener,
      logger: this.logger,
      connectTimeoutMs: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    });
    this.listeners.add(changes);
    await changes.start();
    return async () => {
      this.listeners.delete(changes);
      await changes.stop();
    };
  }

  /** Stops the change listeners and closes the pool; later calls are no-ops. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([...this.listeners].map((l) => l.stop()));
      this.listeners.clear();
      await this.db.destroy();
    })();
    return this.closed;
  }
}
