/**
 * Writes what the management API writes when it deploys, starts or stops an API, straight through the repositories of
 * a real store: the Api row, an immutable Deployment snapshot and an event.
 */
import type { ConfigStore, EventType, JsonObject } from '@apim/core';
import { ApimError, newId, nowIso } from '@apim/core';
import { createConfigStore } from '@apim/repository-sql';
import { writeDeployedApi } from '@apim/testkit';

/** A fresh in-memory SQLite store with the DEFAULT organization and the given environments. */
export async function memoryStore(environmentIds: string[] = ['DEFAULT']): Promise<ConfigStore> {
  const store = await createConfigStore({ url: 'sqlite::memory:' });
  const now = nowIso();
  await store.organizations.create({ id: 'DEFAULT', name: 'Default', createdAt: now, updatedAt: now });
  for (const id of environmentIds) {
    await store.environments.create({
      id,
      organizationId: 'DEFAULT',
      name: id,
      hrids: [id.toLowerCase()],
      createdAt: now,
      updatedAt: now,
    });
  }
  return store;
}

export interface PublishOptions {
  environmentId?: string;
  state?: 'STARTED' | 'STOPPED';
  /** Overrides the event date (to simulate an event committed late). */
  eventCreatedAt?: string;
  eventType?: EventType;
}

/** Creates or updates the Api row, stores the next Deployment revision and a PUBLISH_API event. */
export async function publish(
  store: ConfigStore,
  apiId: string,
  snapshot: JsonObject,
  options: PublishOptions = {},
): Promise<number> {
  const environmentId = options.environmentId ?? 'DEFAULT';
  const now = nowIso();
  const { plans: _plans, ...definition } = snapshot.api as JsonObject;
  return store.transaction(async (repos) => {
    const existing = await repos.apis.findById(apiId);
    const row = {
      id: apiId,
      environmentId,
      name: String(definition.name),
      apiVersion: String(definition.apiVersion),
      type: 'PROXY',
      definitionVersion: 'V4',
      definition,
      state: options.state ?? 'STARTED',
      lifecycleState: 'PUBLISHED' as const,
      visibility: 'PUBLIC' as const,
      labels: [],
      categories: [],
      groups: [],
      deployedAt: now,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    if (existing) await repos.apis.update(row);
    else await repos.apis.create(row);
    const latest = await repos.deployments.findLatest(apiId);
    const revision = (latest?.revision ?? 0) + 1;
    const deploymentId = newId();
    await repos.deployments.create({
      id: deploymentId,
      apiId,
      environmentId,
      revision,
      definition: { ...snapshot, api: { ...(snapshot.api as JsonObject), id: apiId } },
      createdAt: now,
    });
    await repos.events.create({
      id: newId(),
      environmentId,
      type: options.eventType ?? 'PUBLISH_API',
      payload: { deploymentId },
      properties: { api_id: apiId },
      createdAt: options.eventCreatedAt ?? now,
    });
    return revision;
  });
}

/** Sets the Api row's state and records the matching START_API / STOP_API event. */
export async function setState(store: ConfigStore, apiId: string, state: 'STARTED' | 'STOPPED'): Promise<void> {
  await store.transaction(async (repos) => {
    const api = await repos.apis.findById(apiId);
    if (!api) throw new Error(`no API ${apiId}`);
    await repos.apis.update({ ...api, state, updatedAt: nowIso() });
    await repos.events.create({
      id: newId(),
      environmentId: api.environmentId,
      type: state === 'STARTED' ? 'START_API' : 'STOP_API',
      payload: {},
      properties: { api_id: apiId },
      createdAt: nowIso(),
    });
  });
}

/**
 * The same store seen through a fault switch: while `failing` is set, every repository call rejects with
 * STORAGE_UNAVAILABLE (a database that went away); while `hanging` is set, calls never settle (a database that stopped
 * answering). Optionally adds a push signal the test can fire. `calls` counts the repository calls made.
 */
export function faultyStore(store: ConfigStore) {
  const control = { failing: false, hanging: false, calls: 0, fire: undefined as (() => void) | undefined };
  const wrapRepository = (repository: object) =>
    new Proxy(repository, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          control.calls++;
          if (control.hanging) return new Promise(() => undefined);
          if (control.failing) {
            return Promise.reject(new ApimError('STORAGE_UNAVAILABLE', { message: 'database unreachable' }));
          }
          return value.apply(target, args);
        };
      },
    });
  const wrapped = new Proxy(store, {
    get(target, property) {
      if (property === 'onChange') {
        return async (listener: () => void) => {
          control.fire = listener;
          return async () => {
            control.fire = undefined;
          };
        };
      }
      const value = Reflect.get(target, property, target);
      if (typeof value === 'function') return value.bind(target);
      return typeof value === 'object' && value !== null && property !== 'kind' ? wrapRepository(value) : value;
    },
  });
  return { store: wrapped, control };
}

/** Creates an environment (and its organization when missing). */
export async function addEnvironment(store: ConfigStore, id: string, organizationId: string): Promise<void> {
  const now = nowIso();
  if (!(await store.organizations.findById(organizationId))) {
    await store.organizations.create({ id: organizationId, name: organizationId, createdAt: now, updatedAt: now });
  }
  await store.environments.create({
    id,
    organizationId,
    name: id,
    hrids: [id.toLowerCase()],
    createdAt: now,
    updatedAt: now,
  });
}

/** Removes an API as the management API deletes one: its deployments, its row, and an UNPUBLISH_API event. */
export async function removeApi(store: ConfigStore, apiId: string): Promise<void> {
  await store.transaction(async (repos) => {
    const api = await repos.apis.findById(apiId);
    if (!api) throw new Error(`no API ${apiId}`);
    await repos.deployments.deleteByApi(apiId);
    await repos.apis.delete(apiId);
    await repos.events.create({
      id: newId(),
      environmentId: api.environmentId,
      type: 'UNPUBLISH_API',
      payload: {},
      properties: { api_id: apiId },
      createdAt: nowIso(),
    });
  });
}

/**
 * Publishes many APIs in one transaction (first revision each): what a benchmark set-up writes. Faster than calling
 * {@link publish} once per API.
 */
export async function publishMany(
  store: ConfigStore,
  apis: { id: string; snapshot: JsonObject; environmentId?: string }[],
): Promise<void> {
  const now = nowIso();
  await store.transaction(async (repos) => {
    for (const { id, snapshot, environmentId = 'DEFAULT' } of apis) {
      const { plans: _plans, ...definition } = snapshot.api as JsonObject;
      await writeDeployedApi(repos, {
        id,
        environmentId,
        name: String(definition.name),
        apiVersion: String(definition.apiVersion),
        definition,
        snapshot: { ...snapshot, api: { ...(snapshot.api as JsonObject), id } },
        now,
      });
    }
  });
}
