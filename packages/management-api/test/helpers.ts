import type { ConfigStore } from '@apim/core';
import { createConfigStore } from '@apim/repository-sql';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildManagementApi, ensureDefaults, type ManagementApiOptions } from '../src/index.js';

export const ADMIN_PASSWORD = 'test-admin-password';
export const BASE = '/management/v2/environments/DEFAULT/apis';

/** `Authorization` header for Basic credentials. */
export function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

export const ADMIN_AUTH = basic('admin', ADMIN_PASSWORD);

export interface TestContext {
  store: ConfigStore;
  app: FastifyInstance;
  /** Injects a request as the admin (JSON body when `body` is given). */
  call(method: InjectOptions['method'], url: string, body?: unknown): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** A management API on a fresh in-memory SQLite store, bootstrapped with {@link ADMIN_PASSWORD}. */
export async function setup(
  options: { store?: ConfigStore; bodyLimit?: number; subscriptions?: ManagementApiOptions['subscriptions'] } = {},
): Promise<TestContext> {
  const store = options.store ?? (await createConfigStore({ url: 'sqlite::memory:' }));
  await ensureDefaults(store, { adminPassword: ADMIN_PASSWORD });
  const app = await buildManagementApi({
    store,
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.subscriptions ? { subscriptions: options.subscriptions } : {}),
  });
  return {
    store,
    app,
    call: (method, url, body) =>
      app.inject({
        method,
        url,
        headers: { authorization: ADMIN_AUTH },
        ...(body === undefined ? {} : { payload: body as object }),
      }),
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** A minimal valid CreateApiV4 body: an HTTP proxy on `contextPath` to an echo target. */
export function proxyApi(contextPath = '/echo', overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Echo',
    apiVersion: '1.0',
    definitionVersion: 'V4',
    type: 'PROXY',
    description: 'An echo API',
    listeners: [{ type: 'HTTP', paths: [{ path: contextPath }], entrypoints: [{ type: 'http-proxy' }] }],
    endpointGroups: [
      {
        name: 'default-group',
        type: 'http-proxy',
        endpoints: [
          { name: 'default-endpoint', type: 'http-proxy', configuration: { target: 'http://127.0.0.1:9999/echo' } },
        ],
      },
    ],
    ...overrides,
  };
}

/** A keyless CreatePlanV4 body. */
export function keylessPlan(name = 'Free'): Record<string, unknown> {
  return { definitionVersion: 'V4', name, security: { type: 'KEY_LESS' }, mode: 'STANDARD' };
}

/** Base path of the v1 applications of the default environment. */
export const APPS = '/management/organizations/DEFAULT/environments/DEFAULT/applications';

/** An API-key CreatePlanV4 body. */
export function apiKeyPlan(name = 'Gold', overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { definitionVersion: 'V4', name, security: { type: 'API_KEY' }, mode: 'STANDARD', ...overrides };
}

/** Creates a plan on the API and publishes it; returns its id. */
export async function publishedPlan(t: TestContext, apiId: string, body: Record<string, unknown>): Promise<string> {
  const created = await t.call('POST', `${BASE}/${apiId}/plans`, body);
  if (created.statusCode !== 201) throw new Error(`plan creation failed: ${created.body}`);
  const id: string = created.json().id;
  await t.call('POST', `${BASE}/${apiId}/plans/${id}/_publish`);
  return id;
}

/** Creates a SIMPLE application (v1); returns its id. */
export async function application(t: TestContext, name: string, body: Record<string, unknown> = {}): Promise<string> {
  const created = await t.call('POST', APPS, { name, description: `${name} app`, ...body });
  if (created.statusCode !== 201) throw new Error(`application creation failed: ${created.body}`);
  return created.json().id;
}
