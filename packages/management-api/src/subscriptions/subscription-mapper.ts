import type { Api, ApiKey, Application, JsonObject, Plan, Subscription, User } from '@apim/core';
import { apiKeyModeOf } from '../api-keys/api-key-service.js';
import { toPrimaryOwner } from '../apis/api-mapper.js';

/** Related records a response may expand (`expands=api,plan,application,subscribedBy`). */
export interface SubscriptionExpansions {
  api?: Api;
  plan?: Plan;
  application?: Application;
  applicationOwner?: User;
  subscribedBy?: User;
}

function displayName(user: User): string {
  return [user.firstname, user.lastname].filter(Boolean).join(' ') || user.sourceId;
}

/** Gravitee's BaseApplication. */
export function toBaseApplication(app: Application, owner?: User): JsonObject {
  const out: JsonObject = { id: app.id, name: app.name, type: app.type, apiKeyMode: apiKeyModeOf(app) };
  if (app.description != null) out.description = app.description;
  if (owner) out.primaryOwner = toPrimaryOwner(owner);
  return out;
}

/** Gravitee's BasePlan. */
export function toBasePlan(plan: Plan): JsonObject {
  const out: JsonObject = {
    id: plan.id,
    name: plan.name,
    apiId: plan.apiId,
    security: (plan.definition.security as JsonObject | undefined) ?? { type: plan.securityType },
    mode: plan.definition.mode ?? 'STANDARD',
  };
  if (plan.description != null) out.description = plan.description;
  return out;
}

/**
 * Gravitee's Subscription (Management API v2): related records as `{ id }` unless expanded, users as BaseUser,
 * absent dates left out.
 */
export function toSubscriptionV2(sub: Subscription, expansions: SubscriptionExpansions = {}): JsonObject {
  const { api, plan, application } = expansions;
  const out: JsonObject = {
    id: sub.id,
    api: api
      ? { id: api.id, name: api.name, ...(api.description ? { description: api.description } : {}) }
      : { id: sub.apiId },
    plan: plan ? toBasePlan(plan) : { id: sub.planId },
    application: application ? toBaseApplication(application, expansions.applicationOwner) : { id: sub.applicationId },
    status: sub.status,
    consumerStatus: 'STARTED',
    metadata: sub.metadata ?? {},
    origin: 'MANAGEMENT',
    createdAt: sub.createdAt,
    updatedAt: sub.updatedAt,
  };
  if (sub.consumerMessage != null) out.consumerMessage = sub.consumerMessage;
  if (sub.publisherMessage != null) out.publisherMessage = sub.publisherMessage;
  if (sub.configuration != null) out.consumerConfiguration = sub.configuration;
  if (sub.processedBy != null) out.processedBy = { id: sub.processedBy };
  if (sub.subscribedBy != null) {
    const by = expansions.subscribedBy;
    out.subscribedBy = by ? { id: by.id, displayName: displayName(by) } : { id: sub.subscribedBy };
  }
  for (const key of ['processedAt', 'startingAt', 'endingAt', 'closedAt', 'pausedAt'] as const) {
    if (sub[key] != null) out[key] = sub[key];
  }
  return out;
}

/**
 * Gravitee's ApiKey (Management API v2). `key` is the clear key only in the response that created it (`clearKey`);
 * everywhere else it is the stored mask, since the clear key is not kept.
 */
export function toApiKeyV2(
  key: ApiKey,
  application: Application | undefined,
  now: string,
  clearKey?: string,
): JsonObject {
  const out: JsonObject = {
    id: key.id,
    key: clearKey ?? key.keyMask,
    application: application ? toBaseApplication(application) : { id: key.applicationId },
    subscriptions: key.subscriptionIds.map((id) => ({ id })),
    revoked: key.revoked,
    paused: key.paused,
    expired: key.expireAt != null && key.expireAt <= now,
    createdAt: key.createdAt,
    updatedAt: key.updatedAt,
  };
  if (key.expireAt != null) out.expireAt = key.expireAt;
  if (key.revokedAt != null) out.revokedAt = key.revokedAt;
  return out;
}
