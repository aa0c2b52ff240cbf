import type { IncomingMessage } from 'node:http';
import { hashApiKey, type PlanDefinition } from '@apim/core';
import { describe, expect, it } from 'vitest';
import {
  createPlanResolver as createAnyPlanResolver,
  type PlanResolution,
  queryParam,
  withoutQueryParam,
} from './plan-resolver.js';
import { type KnownSubscription, SubscriptionRegistry } from './security/subscription-registry.js';

const plan = (
  id: string,
  type: string,
  status: PlanDefinition['status'],
  order = 0,
  configuration?: Record<string, unknown>,
): PlanDefinition => ({
  id,
  name: id,
  definitionVersion: 'V4',
  security: { type: type as 'KEY_LESS', ...(configuration ? { configuration } : {}) },
  mode: 'STANDARD',
  status,
  validation: 'AUTO',
  tags: [],
  flows: [],
  order,
});

/** Keyless and API-key plans resolve synchronously (only token checks return promises). */
function createPlanResolver(...args: Parameters<typeof createAnyPlanResolver>) {
  const resolve = createAnyPlanResolver(...args);
  return (req: IncomingMessage): PlanResolution => {
    const resolution = resolve(req);
    if (resolution instanceof Promise) throw new Error('expected a synchronous resolution');
    return resolution;
  };
}

const request = (url = '/', headers: Record<string, string | string[]> = {}) =>
  ({ url, headers }) as unknown as IncomingMessage;
const req = request();

const NOW = Date.parse('2026-06-01T00:00:00Z');

function subscription(overrides: Partial<KnownSubscription> = {}): KnownSubscription {
  return {
    id: 'sub-1',
    environmentId: 'DEFAULT',
    apiId: 'api-1',
    planId: 'key-plan',
    applicationId: 'app-1',
    clientId: undefined,
    status: 'ACCEPTED',
    startingAt: undefined,
    endingAt: undefined,
    ...overrides,
  };
}

/** A registry holding one key (`secret-key-1`) granting `subscriptions`. */
function registryWith(subscriptions: KnownSubscription[], key: Partial<{ revoked: boolean; expireAt: number }> = {}) {
  const registry = new SubscriptionRegistry();
  for (const s of subscriptions) registry.putSubscription(s);
  registry.putApiKey({
    id: 'key-1',
    keyHash: hashApiKey('secret-key-1'),
    applicationId: 'app-1',
    subscriptionIds: subscriptions.map((s) => s.id),
    revoked: key.revoked ?? false,
    paused: false,
    expireAt: key.expireAt,
  });
  return registry;
}

describe('createPlanResolver: keyless plans', () => {
  it('serves with a published or deprecated keyless plan', () => {
    expect(createPlanResolver('api-1', [plan('p', 'KEY_LESS', 'PUBLISHED')])(req).plan?.id).toBe('p');
    expect(createPlanResolver('api-1', [plan('p', 'KEY_LESS', 'DEPRECATED')])(req).plan?.id).toBe('p');
    expect(createPlanResolver('api-1', [plan('p', 'key-less', 'PUBLISHED')])(req).plan?.id).toBe('p');
  });

  it('does not serve with staging or closed keyless plans; other types need the subscriptions', () => {
    expect(createPlanResolver('api-1', [])(req).failureKey).toBe('GATEWAY_PLAN_UNRESOLVABLE');
    const closed = [plan('a', 'KEY_LESS', 'STAGING'), plan('b', 'KEY_LESS', 'CLOSED')];
    expect(createPlanResolver('api-1', closed)(req).plan).toBeUndefined();
    const secured = [plan('k', 'API_KEY', 'PUBLISHED'), plan('j', 'JWT', 'PUBLISHED')];
    expect(createPlanResolver('api-1', secured)(request('/', { 'x-gravitee-api-key': 'x' })).plan).toBeUndefined();
  });

  it('picks the first keyless plan by order, and answers the same object every time', () => {
    const resolve = createPlanResolver('api-1', [
      plan('late', 'KEY_LESS', 'PUBLISHED', 2),
      plan('early', 'KEY_LESS', 'DEPRECATED', 1),
    ]);
    expect(resolve(req).plan?.id).toBe('early');
    expect(resolve(req)).toBe(resolve(req));
  });
});

describe('createPlanResolver: API-key plans', () => {
  const plans = [plan('key-plan', 'API_KEY', 'PUBLISHED', 1)];

  it('serves a usable key granting an active subscription to the plan, from the header or the query', () => {
    const resolve = createPlanResolver('api-1', plans, {
      subscriptions: registryWith([subscription()]),
      now: () => NOW,
    });
    const byHeader = resolve(request('/', { 'x-gravitee-api-key': 'secret-key-1' }));
    expect(byHeader).toMatchObject({
      plan: { id: 'key-plan' },
      apiKey: 'secret-key-1',
      stripHeader: 'x-gravitee-api-key',
    });
    expect(byHeader.subscription).toMatchObject({ id: 'sub-1', applicationId: 'app-1' });
    const byQuery = resolve(request('/items?a=1&api-key=secret-key-1'));
    expect(byQuery).toMatchObject({ plan: { id: 'key-plan' }, stripHeader: undefined, stripQueryParam: 'api-key' });
  });

  it('answers API_KEY_INVALID for unknown, revoked or expired keys and inactive subscriptions', () => {
    const withKey = request('/', { 'x-gravitee-api-key': 'secret-key-1' });
    const cases = [
      { registry: registryWith([subscription()]), req: request('/', { 'x-gravitee-api-key': 'other' }) },
      { registry: registryWith([subscription()], { revoked: true }), req: withKey },
      { registry: registryWith([subscription()], { expireAt: NOW }), req: withKey },
      { registry: registryWith([subscription({ status: 'PAUSED' })]), req: withKey },
      { registry: registryWith([subscription({ endingAt: NOW - 1 })]), req: withKey },
      { registry: registryWith([subscription({ startingAt: NOW + 1 })]), req: withKey },
      { registry: registryWith([subscription({ planId: 'another-plan' })]), req: withKey },
      { registry: registryWith([subscription({ apiId: 'api-2' })]), req: withKey },
    ];
    for (const { registry, req: r } of cases) {
      const resolution = createPlanResolver('api-1', plans, { subscriptions: registry, now: () => NOW })(r);
      expect(resolution).toMatchObject({ plan: undefined, failureKey: 'API_KEY_INVALID' });
    }
  });

  it('answers GATEWAY_PLAN_UNRESOLVABLE without a key, and falls through to a keyless plan', () => {
    const registry = registryWith([subscription()]);
    const keyOnly = createPlanResolver('api-1', plans, { subscriptions: registry, now: () => NOW });
    expect(keyOnly(req).failureKey).toBe('GATEWAY_PLAN_UNRESOLVABLE');
    const both = createPlanResolver('api-1', [...plans, plan('open', 'KEY_LESS', 'PUBLISHED', 2)], {
      subscriptions: registry,
      now: () => NOW,
    });
    expect(both(req).plan?.id).toBe('open');
    expect(both(request('/', { 'x-gravitee-api-key': 'wrong' })).plan?.id).toBe('open');
    expect(both(request('/', { 'x-gravitee-api-key': 'secret-key-1' })).plan?.id).toBe('key-plan');
  });

  it('uses the configured header and parameter names, and keeps the key when the plan propagates it', () => {
    const resolve = createPlanResolver(
      'api-1',
      [plan('key-plan', 'API_KEY', 'PUBLISHED', 1, { propagateApiKey: true })],
      {
        subscriptions: registryWith([subscription()]),
        apiKeyHeader: 'X-Api-Key',
        apiKeyQueryParam: 'key',
        now: () => NOW,
      },
    );
    expect(resolve(request('/', { 'x-api-key': 'secret-key-1' }))).toMatchObject({
      plan: { id: 'key-plan' },
      stripHeader: undefined,
    });
    expect(resolve(request('/?key=secret-key-1'))).toMatchObject({
      plan: { id: 'key-plan' },
      stripQueryParam: undefined,
    });
    expect(resolve(request('/?api-key=secret-key-1')).failureKey).toBe('GATEWAY_PLAN_UNRESOLVABLE');
  });

  it('finds the plan of a key granting several subscriptions (shared key), by plan order', () => {
    const registry = registryWith([
      subscription({ id: 's-a', planId: 'plan-a' }),
      subscription({ id: 's-b', planId: 'plan-b' }),
    ]);
    const resolve = createPlanResolver(
      'api-1',
      [plan('plan-b', 'API_KEY', 'PUBLISHED', 2), plan('plan-a', 'API_KEY', 'PUBLISHED', 1)],
      { subscriptions: registry, now: () => NOW },
    );
    expect(resolve(request('/', { 'x-gravitee-api-key': 'secret-key-1' })).subscription?.id).toBe('s-a');
  });
});

describe('query parameters', () => {
  it('reads and removes a parameter, encoded or repeated', () => {
    expect(queryParam('/a?api-key=k%201&x=1', 'api-key')).toBe('k 1');
    expect(queryParam('/a?x=1', 'api-key')).toBeUndefined();
    expect(queryParam('/a?api-key=', 'api-key')).toBeUndefined();
    expect(withoutQueryParam('/a?api-key=k&x=1&api-key=j', 'api-key')).toBe('/a?x=1');
    expect(withoutQueryParam('/a?api%2Dkey=k', 'api-key')).toBe('/a');
    expect(withoutQueryParam('/a?x=1', 'api-key')).toBe('/a?x=1');
    expect(withoutQueryParam('/a', 'api-key')).toBe('/a');
  });
});
