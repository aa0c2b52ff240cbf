import { describe, expect, it } from 'vitest';
import { type KnownApiKey, SubscriptionRegistry } from './subscription-registry.js';

const key = (overrides: Partial<KnownApiKey> = {}): KnownApiKey => ({
  id: 'k1',
  keyHash: 'hash-1',
  applicationId: 'app',
  subscriptionIds: ['s1'],
  revoked: false,
  paused: false,
  expireAt: undefined,
  ...overrides,
});

const subscription = (status: 'ACCEPTED' | 'CLOSED' | 'PAUSED' | 'REJECTED') => ({
  id: 's1',
  environmentId: 'DEFAULT',
  apiId: 'api',
  planId: 'plan',
  applicationId: 'app',
  clientId: undefined,
  status,
  startingAt: undefined,
  endingAt: undefined,
});

describe('SubscriptionRegistry', () => {
  it('keeps live subscriptions and drops closed or rejected ones', () => {
    const registry = new SubscriptionRegistry();
    registry.putSubscription(subscription('ACCEPTED'));
    expect(registry.subscription('s1')?.status).toBe('ACCEPTED');
    registry.putSubscription(subscription('PAUSED'));
    expect(registry.subscription('s1')?.status).toBe('PAUSED');
    registry.putSubscription(subscription('CLOSED'));
    expect(registry.subscription('s1')).toBeUndefined();
    registry.putSubscription(subscription('REJECTED'));
    expect(registry.subscriptionCount).toBe(0);
  });

  it('indexes keys by hash, follows a hash change of the same key id, and drops revoked keys', () => {
    const registry = new SubscriptionRegistry();
    registry.putApiKey(key());
    expect(registry.apiKeyByHash('hash-1')?.id).toBe('k1');
    registry.putApiKey(key({ keyHash: 'hash-2' }));
    expect(registry.apiKeyByHash('hash-1')).toBeUndefined();
    expect(registry.apiKeyByHash('hash-2')?.id).toBe('k1');
    registry.putApiKey(key({ keyHash: 'hash-2', revoked: true }));
    expect(registry.apiKeyByHash('hash-2')).toBeUndefined();
    expect(registry.apiKeyCount).toBe(0);
    registry.putApiKey(key());
    registry.removeApiKey('k1');
    expect(registry.apiKeyCount).toBe(0);
  });

  it('grants only through usable keys and active subscriptions', () => {
    const registry = new SubscriptionRegistry();
    registry.putSubscription(subscription('ACCEPTED'));
    registry.putApiKey(key({ expireAt: 2_000 }));
    expect(registry.subscriptionForKey('hash-1', 'api', 'plan', 1_000)?.id).toBe('s1');
    expect(registry.subscriptionForKey('hash-1', 'api', 'plan', 2_000)).toBeUndefined();
    expect(registry.subscriptionForKey('hash-1', 'api', 'other-plan', 1_000)).toBeUndefined();
    registry.putApiKey(key({ paused: true }));
    expect(registry.subscriptionForKey('hash-1', 'api', 'plan', 1_000)).toBeUndefined();
    registry.clear();
    expect(registry.subscriptionCount + registry.apiKeyCount).toBe(0);
  });
});
