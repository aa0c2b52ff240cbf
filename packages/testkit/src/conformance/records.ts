import type {
  Api,
  ApiKey,
  Application,
  ConfigStore,
  Deployment,
  Environment,
  Event,
  JsonObject,
  Organization,
  Plan,
  Subscription,
  User,
} from '@apim/core';
import { expect } from 'vitest';

/** What each part of the suite receives: the store under test, opened once per suite. */
export interface ConformanceContext {
  readonly store: ConfigStore;
}

/** A unique id with a readable prefix (at most 64 characters for prefixes up to 27). */
export function uid(prefix: string): string {
  return `${prefix}-${globalThis.crypto.randomUUID()}`;
}

const BASE_TIME = Date.parse('2031-05-04T10:00:00.000Z');

/** A fixed instant `seconds` after the suite's base time, in canonical ISO form (`toISOString()`). */
export function at(seconds: number): string {
  return new Date(BASE_TIME + seconds * 1000).toISOString();
}

/** A string exercising multi-byte UTF-8: accents, CJK, emoji (4 bytes) and quotes. */
export const UNICODE = 'Ünïcødé “quotes” 日本語 🚀 \'single\' "double"';

/**
 * A record with its null and undefined fields dropped, so that a backend returning `null` for an absent optional
 * field and one leaving it out compare equal.
 */
export function normalise<T extends object>(record: T | undefined): Partial<T> | undefined {
  if (record === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== null && value !== undefined),
  ) as Partial<T>;
}

/** Expects `promise` to reject with an ApimError of the given catalogue code. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

/** A JSON document with nesting, numbers, booleans, nulls, arrays and unicode. */
export function aDocument(extra: JsonObject = {}): JsonObject {
  return {
    listeners: [
      { type: 'http', paths: [{ path: `/${uid('p')}`, overrideAccess: false }], entrypoints: [{ type: 'http-proxy' }] },
    ],
    endpointGroups: [
      {
        name: 'default',
        type: 'http-proxy',
        endpoints: [{ name: 'e', configuration: { target: 'https://example.com' } }],
      },
    ],
    flows: [],
    properties: [{ key: 'k', value: UNICODE, encrypted: false }],
    nested: { int: 42, float: 1.5, negative: -7, yes: true, no: false, nothing: null, list: [1, 'two', { three: 3 }] },
    ...extra,
  };
}

/** A document of about `bytes` bytes. */
export function aLargeDocument(bytes = 1024 * 1024): JsonObject {
  return aDocument({ blob: 'x'.repeat(bytes), unicode: UNICODE.repeat(10) });
}

export function anOrganization(overrides: Partial<Organization> = {}): Organization {
  return {
    id: uid('org'),
    name: `Org ${UNICODE}`,
    description: `About ${UNICODE}`,
    createdAt: at(0),
    updatedAt: at(1),
    ...overrides,
  };
}

export function anEnvironment(overrides: Partial<Environment> = {}): Environment {
  return {
    id: uid('env'),
    organizationId: uid('org'),
    name: `Env ${UNICODE}`,
    description: 'An environment',
    hrids: ['default', 'prod'],
    createdAt: at(0),
    updatedAt: at(1),
    ...overrides,
  };
}

export function aUser(overrides: Partial<User> = {}): User {
  const id = uid('usr');
  return {
    id,
    organizationId: uid('org'),
    source: 'memory',
    sourceId: `login-${id}`,
    email: `${id}@example.com`,
    firstname: 'Zoë',
    lastname: 'Ångström',
    passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
    roles: ['ADMIN', 'USER'],
    status: 'ACTIVE',
    lastConnectionAt: at(5),
    createdAt: at(0),
    updatedAt: at(1),
    ...overrides,
  };
}

export function anApi(overrides: Partial<Api> = {}): Api {
  return {
    id: uid('api'),
    environmentId: uid('env'),
    crossId: uid('cross'),
    name: `API ${UNICODE}`,
    apiVersion: '1.0.0',
    description: `Description ${UNICODE}`,
    type: 'PROXY',
    definitionVersion: 'V4',
    definition: aDocument(),
    state: 'STARTED',
    lifecycleState: 'PUBLISHED',
    visibility: 'PUBLIC',
    labels: ['l1', UNICODE],
    categories: ['c1'],
    groups: ['g1', 'g2'],
    primaryOwnerId: uid('usr'),
    picture: 'data:image/png;base64,iVBORw0KGgo=',
    background: 'data:image/png;base64,AAAA',
    deployedAt: at(3),
    createdAt: at(0),
    updatedAt: at(1),
    ...overrides,
  };
}

export function aPlan(overrides: Partial<Plan> = {}): Plan {
  return {
    id: uid('plan'),
    apiId: uid('api'),
    environmentId: uid('env'),
    crossId: uid('cross'),
    name: `Plan ${UNICODE}`,
    description: 'A plan',
    securityType: 'API_KEY',
    definition: { security: { type: 'API_KEY', configuration: { propagateApiKey: true } }, tags: ['t'], flows: [] },
    status: 'PUBLISHED',
    validation: 'MANUAL',
    commentRequired: true,
    order: 2,
    publishedAt: at(2),
    closedAt: at(9),
    createdAt: at(0),
    updatedAt: at(1),
    ...overrides,
  };
}

export function anApplication(overrides: Partial<Application> = {}): Application {
  return {
    id: uid('app'),
    environmentId: uid('env'),
    name: `App ${UNICODE}`,
    description: 'An application',
    type: 'BACKEND_TO_BACKEND',
    clientId: uid('client'),
    status: 'ACTIVE',
    primaryOwnerId: uid('usr'),
    picture: 'data:image/png;base64,AAAA',
    settings: { app: { type: 'backend', client_id: 'abc' }, oauth: { grant_types: ['client_credentials'] } },
    createdAt: at(0),
    updatedAt: at(1),
    ...overrides,
  };
}

export function aSubscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: uid('sub'),
    environmentId: uid('env'),
    apiId: uid('api'),
    planId: uid('plan'),
    applicationId: uid('app'),
    status: 'ACCEPTED',
    consumerMessage: `Please ${UNICODE}`,
    publisherMessage: 'OK',
    clientId: uid('client'),
    startingAt: at(2),
    endingAt: at(100),
    processedAt: at(3),
    processedBy: uid('usr'),
    subscribedBy: uid('usr'),
    closedAt: at(101),
    pausedAt: at(50),
    configuration: { entrypointId: 'webhook', channel: '/ch', entrypointConfiguration: { callbackUrl: UNICODE } },
    metadata: { team: UNICODE, cost: '42' },
    createdAt: at(0),
    updatedAt: at(1),
    ...overrides,
  };
}

export function anApiKey(overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: uid('key'),
    environmentId: uid('env'),
    applicationId: uid('app'),
    subscriptionIds: [uid('sub')],
    keyHash: `sha256:${globalThis.crypto.randomUUID()}${globalThis.crypto.randomUUID()}`,
    keyMask: 'abcd********wxyz',
    revoked: false,
    revokedAt: at(7),
    paused: true,
    expireAt: at(1000),
    createdAt: at(0),
    updatedAt: at(1),
    ...overrides,
  };
}

export function aDeployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: uid('dep'),
    apiId: uid('api'),
    environmentId: uid('env'),
    revision: 1,
    label: `Release ${UNICODE}`,
    definition: { api: aDocument(), plans: [{ id: 'p1', security: { type: 'KEY_LESS' } }] },
    deployedBy: uid('usr'),
    createdAt: at(0),
    ...overrides,
  };
}

export function anEvent(overrides: Partial<Event> = {}): Event {
  const apiId = uid('api');
  return {
    id: uid('evt'),
    environmentId: uid('env'),
    organizationId: uid('org'),
    type: 'PUBLISH_API',
    payload: { deploymentId: uid('dep'), note: UNICODE },
    properties: { api_id: apiId, revision: '1' },
    createdAt: at(0),
    ...overrides,
  };
}

/** The ids of a list, to compare orders. */
export function ids(records: { id: string }[]): string[] {
  return records.map((r) => r.id);
}

/** Code-point order (UTF-8 byte order), the order of `ORDER BY name` on every backend. */
export function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
