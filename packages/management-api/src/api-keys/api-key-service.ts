import { randomBytes } from 'node:crypto';
import {
  type ApiKey,
  type Application,
  hashApiKey,
  LIVE_SUBSCRIPTION_STATUSES,
  maskApiKey,
  newId,
  type Subscription,
} from '@apim/core';
import { apiKeyNotFound, badRequest, invalidField } from '../http/errors.js';
import type { Operation } from '../subscriptions/change-events.js';
import type { ResolvedSubscriptionSettings } from '../subscriptions/subscription-settings.js';

/** Characters and length a custom API key must have. */
export const CUSTOM_API_KEY_PATTERN = /^[A-Za-z0-9_.-]{8,64}$/;

/** Gravitee's application API key modes. */
export type ApiKeyMode = 'UNSPECIFIED' | 'EXCLUSIVE' | 'SHARED';

/** The API key mode of an application (kept in its settings as `apiKeyMode`). */
export function apiKeyModeOf(app: Application): ApiKeyMode {
  const mode = app.settings.apiKeyMode;
  return mode === 'SHARED' || mode === 'EXCLUSIVE' ? mode : 'UNSPECIFIED';
}

/** A key record with, when it was just created, the clear key (shown once, never stored). */
export interface IssuedApiKey {
  key: ApiKey;
  clearKey?: string;
}

/** A new random key: 32 bytes of the CSPRNG, base64url (43 characters, 256 bits). */
export function generateApiKey(): string {
  return randomBytes(32).toString('base64url');
}

function isExpired(key: ApiKey, now: string): boolean {
  return key.expireAt != null && key.expireAt <= now;
}

/**
 * API keys of subscriptions. Keys are stored as `hashApiKey(key)` (SHA-256, see core) plus a mask; the clear key
 * leaves this service only in the {@link IssuedApiKey} of the call that created it. Every method works inside the
 * caller's {@link Operation} (its transaction) and records an API_KEY_CHANGED event per change.
 */
export class ApiKeyService {
  constructor(private readonly settings: ResolvedSubscriptionSettings) {}

  /** Checks a custom key given at subscribe, accept or renew time (400 when refused or malformed). */
  checkCustomKey(customKey: string | undefined, path = '/customApiKey'): void {
    if (customKey === undefined) return;
    if (!this.settings.allowCustomApiKeys) {
      throw badRequest('Custom API keys are not allowed in this environment.', 'apiKey.custom.notAllowed');
    }
    if (!CUSTOM_API_KEY_PATTERN.test(customKey)) {
      throw invalidField(path, 'must be 8 to 64 characters among A-Z a-z 0-9 _ - .', 'apiKey.invalid');
    }
  }

  /** Whether an application may be switched to `mode` (400 otherwise). */
  checkMode(mode: ApiKeyMode | undefined): void {
    if (mode === 'SHARED' && !this.settings.allowSharedApiKeys) {
      throw badRequest(
        'Shared API keys are not allowed in this environment.',
        'application.apiKeyMode.sharedNotAllowed',
      );
    }
  }

  /** The keys of a subscription (revoked ones too), oldest first. */
  async list(op: Pick<Operation, 'repos'>, sub: Subscription): Promise<ApiKey[]> {
    return op.repos.apiKeys.search({ subscriptionId: sub.id, includeRevoked: true });
  }

  /** A key of the subscription, or a 404. */
  async get(op: Pick<Operation, 'repos'>, sub: Subscription, apiKeyId: string): Promise<ApiKey> {
    const key = await op.repos.apiKeys.findById(apiKeyId);
    if (!key?.subscriptionIds.includes(sub.id)) throw apiKeyNotFound(apiKeyId);
    return key;
  }

  /**
   * Gives an accepted API-key subscription its key: in SHARED mode the application's current key (the subscription
   * is added to it), otherwise a new key (random, or `customKey`) expiring with the subscription.
   */
  async issue(op: Operation, sub: Subscription, app: Application, customKey?: string): Promise<IssuedApiKey> {
    if (apiKeyModeOf(app) === 'SHARED') {
      const shared = (await op.repos.apiKeys.search({ applicationId: app.id }))
        .filter((k) => !isExpired(k, op.now))
        .at(-1);
      if (shared) {
        if (customKey !== undefined) {
          throw badRequest(
            `Application [${app.id}] shares one API key: a custom key cannot be given.`,
            'apiKey.custom.sharedMode',
          );
        }
        const updated = await op.repos.apiKeys.update({
          ...shared,
          subscriptionIds: [...new Set([...shared.subscriptionIds, sub.id])],
          updatedAt: op.now,
        });
        await op.events.apiKey(updated, 'SUBSCRIPTION_ADDED');
        return { key: updated };
      }
    }
    return this.create(op, app.id, [sub.id], sub.endingAt ?? null, customKey, 'CREATED');
  }

  private async create(
    op: Operation,
    applicationId: string,
    subscriptionIds: string[],
    expireAt: string | null,
    customKey: string | undefined,
    action: 'CREATED' | 'RENEWED',
  ): Promise<IssuedApiKey> {
    const clearKey = customKey ?? generateApiKey();
    const keyHash = hashApiKey(clearKey);
    if (customKey !== undefined && (await op.repos.apiKeys.findByHash(op.env.id, keyHash))) {
      throw badRequest('This API key is already used in the environment.', 'apiKey.alreadyExists');
    }
    const key = await op.repos.apiKeys.create({
      id: newId(),
      environmentId: op.env.id,
      applicationId,
      subscriptionIds,
      keyHash,
      keyMask: maskApiKey(clearKey),
      revoked: false,
      revokedAt: null,
      paused: false,
      expireAt,
      createdAt: op.now,
      updatedAt: op.now,
    });
    await op.events.apiKey(key, action);
    return { key, clearKey };
  }

  /** Whether `key` also grants a live subscription other than `sub` (a shared key in use elsewhere). */
  private async sharedWithLive(op: Operation, key: ApiKey, sub: Subscription): Promise<boolean> {
    const others = key.subscriptionIds.filter((id) => id !== sub.id);
    if (others.length === 0) return false;
    const live = await op.repos.subscriptions.search(
      { ids: others, statuses: [...LIVE_SUBSCRIPTION_STATUSES] },
      { perPage: 1 },
    );
    return live.totalCount > 0;
  }

  /** Revokes the keys of a closing subscription, except those still granting another live subscription. */
  async revokeForClosed(op: Operation, sub: Subscription): Promise<void> {
    for (const key of await op.repos.apiKeys.search({ subscriptionId: sub.id })) {
      if (await this.sharedWithLive(op, key, sub)) continue;
      const revoked = await op.repos.apiKeys.update({ ...key, revoked: true, revokedAt: op.now, updatedAt: op.now });
      await op.events.apiKey(revoked, 'REVOKED');
    }
  }

  /** Pauses (or resumes) the keys of a subscription that grant nothing else. */
  async setPaused(op: Operation, sub: Subscription, paused: boolean): Promise<void> {
    for (const key of await op.repos.apiKeys.search({ subscriptionId: sub.id })) {
      if (key.paused === paused || (await this.sharedWithLive(op, key, sub))) continue;
      const updated = await op.repos.apiKeys.update({ ...key, paused, updatedAt: op.now });
      await op.events.apiKey(updated, paused ? 'PAUSED' : 'RESUMED');
    }
  }

  /** Follows a new `endingAt` of a subscription on its own keys (shared keys keep theirs). */
  async followEndingAt(op: Operation, sub: Subscription): Promise<void> {
    const expireAt = sub.endingAt ?? null;
    for (const key of await op.repos.apiKeys.search({ subscriptionId: sub.id })) {
      if (key.expireAt === expireAt || isExpired(key, op.now) || (await this.sharedWithLive(op, key, sub))) continue;
      const updated = await op.repos.apiKeys.update({ ...key, expireAt, updatedAt: op.now });
      await op.events.apiKey(updated, 'EXPIRE_AT_CHANGED');
    }
  }

  /**
   * Renews the key of a subscription: a new key (random or `customKey`) granting what the current keys grant, while
   * each current key keeps working until now + the grace period (its `expireAt`, unless it expires sooner).
   */
  async renew(op: Operation, sub: Subscription, customKey?: string): Promise<IssuedApiKey> {
    const current = (await op.repos.apiKeys.search({ subscriptionId: sub.id })).filter((k) => !isExpired(k, op.now));
    const graceEnd = new Date(Date.parse(op.now) + this.settings.apiKeyRenewalGracePeriodMs).toISOString();
    const subscriptionIds = [...new Set([sub.id, ...current.flatMap((k) => k.subscriptionIds)])];
    const live = (
      await op.repos.subscriptions.search(
        { ids: subscriptionIds, statuses: [...LIVE_SUBSCRIPTION_STATUSES] },
        { perPage: 1000 },
      )
    ).data.map((s) => s.id);
    const granted = subscriptionIds.filter((id) => id === sub.id || live.includes(id));
    const expireAt = granted.length > 1 ? null : (sub.endingAt ?? null);
    const renewed = await this.create(op, sub.applicationId, granted, expireAt, customKey, 'RENEWED');
    for (const key of current) {
      if (key.expireAt != null && key.expireAt <= graceEnd) continue;
      const expiring = await op.repos.apiKeys.update({ ...key, expireAt: graceEnd, updatedAt: op.now });
      await op.events.apiKey(expiring, 'EXPIRE_AT_CHANGED');
    }
    return renewed;
  }

  /** Revokes a key at once (400 when it already is). */
  async revoke(op: Operation, sub: Subscription, apiKeyId: string): Promise<ApiKey> {
    const key = await this.get(op, sub, apiKeyId);
    if (key.revoked) throw badRequest(`API Key [${apiKeyId}] is already revoked.`, 'apiKey.alreadyRevoked');
    const revoked = await op.repos.apiKeys.update({ ...key, revoked: true, revokedAt: op.now, updatedAt: op.now });
    await op.events.apiKey(revoked, 'REVOKED');
    return revoked;
  }

  /**
   * Reactivates a revoked or expired key of a live subscription: no longer revoked, expiring with the subscription.
   * 400 when the key is active, or the subscription is not live.
   */
  async reactivate(op: Operation, sub: Subscription, apiKeyId: string): Promise<ApiKey> {
    const key = await this.get(op, sub, apiKeyId);
    if (!key.revoked && !isExpired(key, op.now)) {
      throw badRequest(`API Key [${apiKeyId}] is already active.`, 'apiKey.alreadyActive');
    }
    if (sub.endingAt != null && sub.endingAt <= op.now) {
      throw badRequest(`Subscription [${sub.id}] has ended: its keys cannot be reactivated.`, 'subscription.ended');
    }
    const reactivated = await op.repos.apiKeys.update({
      ...key,
      revoked: false,
      revokedAt: null,
      expireAt: sub.endingAt ?? null,
      updatedAt: op.now,
    });
    await op.events.apiKey(reactivated, 'REACTIVATED');
    return reactivated;
  }

  /**
   * Sets (or clears) when a key expires. It must be in the future and not after the subscription's end; revoked
   * keys cannot change.
   */
  async setExpireAt(op: Operation, sub: Subscription, apiKeyId: string, expireAt: string | undefined): Promise<ApiKey> {
    const key = await this.get(op, sub, apiKeyId);
    if (key.revoked) throw badRequest(`API Key [${apiKeyId}] is revoked.`, 'apiKey.revoked');
    if (expireAt !== undefined && expireAt <= op.now) {
      throw invalidField('/expireAt', 'must be in the future', 'apiKey.expireAt.invalid');
    }
    if (sub.endingAt != null && (expireAt === undefined || expireAt > sub.endingAt)) {
      throw invalidField(
        '/expireAt',
        `must not be after the end of the subscription (${sub.endingAt})`,
        'apiKey.expireAt.invalid',
      );
    }
    const updated = await op.repos.apiKeys.update({ ...key, expireAt: expireAt ?? null, updatedAt: op.now });
    await op.events.apiKey(updated, 'EXPIRE_AT_CHANGED');
    return updated;
  }
}
