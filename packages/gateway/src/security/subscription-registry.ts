/**
 * What the gateway knows of subscriptions and API keys: kept in memory, fed by the security sync
 * (security-sync.ts), read on the request path. A lookup is one hash of the presented key and two Map reads, so the
 * number of keys in the store does not change the cost of a request.
 *
 * Only what a decision needs is kept: ids, statuses, dates (as epoch milliseconds) and the key hashes; never a clear
 * key.
 */
import type { ApiKey, Subscription, SubscriptionStatus } from '@apim/core';

/** A subscription as the gateway checks it. */
export interface KnownSubscription {
  readonly id: string;
  readonly environmentId: string;
  readonly apiId: string;
  readonly planId: string;
  readonly applicationId: string;
  readonly clientId: string | undefined;
  readonly status: SubscriptionStatus;
  /** Epoch ms; undefined: from its acceptance. */
  readonly startingAt: number | undefined;
  /** Epoch ms; undefined: no end. */
  readonly endingAt: number | undefined;
}

/** An API key as the gateway checks it (looked up by the hash of the presented key). */
export interface KnownApiKey {
  readonly id: string;
  readonly keyHash: string;
  readonly applicationId: string;
  readonly subscriptionIds: readonly string[];
  readonly revoked: boolean;
  readonly paused: boolean;
  /** Epoch ms; undefined: never expires. */
  readonly expireAt: number | undefined;
}

function epoch(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The gateway's view of a stored subscription. */
export function knownSubscription(subscription: Subscription): KnownSubscription {
  return {
    id: subscription.id,
    environmentId: subscription.environmentId,
    apiId: subscription.apiId,
    planId: subscription.planId,
    applicationId: subscription.applicationId,
    clientId: subscription.clientId ?? undefined,
    status: subscription.status,
    startingAt: epoch(subscription.startingAt),
    endingAt: epoch(subscription.endingAt),
  };
}

/** The gateway's view of a stored API key. */
export function knownApiKey(key: ApiKey): KnownApiKey {
  return {
    id: key.id,
    keyHash: key.keyHash,
    applicationId: key.applicationId,
    subscriptionIds: [...key.subscriptionIds],
    revoked: key.revoked,
    paused: key.paused,
    expireAt: epoch(key.expireAt),
  };
}

/** Whether a subscription lets requests through at `now`: accepted, started and not ended. */
export function isSubscriptionActive(subscription: KnownSubscription, now: number): boolean {
  return (
    subscription.status === 'ACCEPTED' &&
    (subscription.startingAt === undefined || subscription.startingAt <= now) &&
    (subscription.endingAt === undefined || subscription.endingAt > now)
  );
}

/** Whether a key may be used at `now`: neither revoked, paused nor expired. */
export function isApiKeyUsable(key: KnownApiKey, now: number): boolean {
  return !key.revoked && !key.paused && (key.expireAt === undefined || key.expireAt > now);
}

function clientKey(subscription: KnownSubscription): string {
  return `${subscription.apiId}\0${subscription.planId}\0${subscription.clientId}`;
}

/** Subscriptions and API keys by the ids and hashes the request path looks them up with. */
export class SubscriptionRegistry {
  readonly #subscriptions = new Map<string, KnownSubscription>();
  /** `api \0 plan \0 clientId` -> subscription, for plans that identify applications by client id (JWT, OAuth2). */
  readonly #byClientId = new Map<string, KnownSubscription>();
  readonly #keysByHash = new Map<string, KnownApiKey>();
  readonly #keyHashById = new Map<string, string>();

  /** Adds or replaces a subscription; closed, rejected and ended ones are dropped rather than kept. */
  putSubscription(subscription: KnownSubscription): void {
    this.removeSubscription(subscription.id);
    if (subscription.status === 'ACCEPTED' || subscription.status === 'PAUSED' || subscription.status === 'PENDING') {
      this.#subscriptions.set(subscription.id, subscription);
      if (subscription.clientId !== undefined) this.#byClientId.set(clientKey(subscription), subscription);
    }
  }

  removeSubscription(id: string): void {
    const previous = this.#subscriptions.get(id);
    if (previous === undefined) return;
    this.#subscriptions.delete(id);
    if (previous.clientId !== undefined && this.#byClientId.get(clientKey(previous)) === previous) {
      this.#byClientId.delete(clientKey(previous));
    }
  }

  /**
   * The active subscription of the application with `clientId` to `planId` of `apiId`, if any (JWT and OAuth2 plans).
   *
   * @example registry.subscriptionForClientId(api.id, plan.id, claims.azp, Date.now());
   */
  subscriptionForClientId(apiId: string, planId: string, clientId: string, now: number): KnownSubscription | undefined {
    const subscription = this.#byClientId.get(`${apiId}\0${planId}\0${clientId}`);
    return subscription !== undefined && isSubscriptionActive(subscription, now) ? subscription : undefined;
  }

  /** Adds or replaces a key (its hash may not change; a renewal is a new key); revoked keys are dropped. */
  putApiKey(key: KnownApiKey): void {
    const previous = this.#keyHashById.get(key.id);
    if (previous !== undefined && previous !== key.keyHash) this.#keysByHash.delete(previous);
    if (key.revoked) {
      this.#keysByHash.delete(key.keyHash);
      this.#keyHashById.delete(key.id);
      return;
    }
    this.#keysByHash.set(key.keyHash, key);
    this.#keyHashById.set(key.id, key.keyHash);
  }

  removeApiKey(id: string): void {
    const hash = this.#keyHashById.get(id);
    if (hash === undefined) return;
    this.#keysByHash.delete(hash);
    this.#keyHashById.delete(id);
  }

  subscription(id: string): KnownSubscription | undefined {
    return this.#subscriptions.get(id);
  }

  apiKeyByHash(keyHash: string): KnownApiKey | undefined {
    return this.#keysByHash.get(keyHash);
  }

  /**
   * The active subscription to `planId` of `apiId` that a usable key grants, if any.
   *
   * @example registry.subscriptionForKey(hashApiKey(presented), api.id, plan.id, Date.now());
   */
  subscriptionForKey(keyHash: string, apiId: string, planId: string, now: number): KnownSubscription | undefined {
    const key = this.#keysByHash.get(keyHash);
    if (key === undefined || !isApiKeyUsable(key, now)) return undefined;
    for (const id of key.subscriptionIds) {
      const subscription = this.#subscriptions.get(id);
      if (
        subscription !== undefined &&
        subscription.apiId === apiId &&
        subscription.planId === planId &&
        isSubscriptionActive(subscription, now)
      ) {
        return subscription;
      }
    }
    return undefined;
  }

  /** Every subscription kept (a cluster primary's snapshot for a new worker). */
  allSubscriptions(): IterableIterator<KnownSubscription> {
    return this.#subscriptions.values();
  }

  /** Every usable or paused key kept. */
  allApiKeys(): IterableIterator<KnownApiKey> {
    return this.#keysByHash.values();
  }

  /** Drops everything (a full resync replaces the content). */
  clear(): void {
    this.#subscriptions.clear();
    this.#byClientId.clear();
    this.#keysByHash.clear();
    this.#keyHashById.clear();
  }

  get subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  get apiKeyCount(): number {
    return this.#keysByHash.size;
  }
}
