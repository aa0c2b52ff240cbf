import type { Api, ApiKey, Application, JsonObject, Plan, Subscription, User } from '@apim/core';
import { apiKeyModeOf } from '../api-keys/api-key-service.js';
import { toPrimaryOwner } from '../apis/api-mapper.js';

/** Gravitee v1 writes dates as epoch milliseconds. */
function epoch(value: string | null | undefined): number | undefined {
  return value == null ? undefined : Date.parse(value);
}

function withoutUndefined(out: JsonObject): JsonObject {
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/** The `app` settings shown for an application (SIMPLE type and client id). */
function appSettings(app: Application): JsonObject {
  const stored = (app.settings.app as JsonObject | undefined) ?? {};
  return withoutUndefined({ type: stored.type, client_id: app.clientId ?? undefined });
}

/**
 * Gravitee v1 ApplicationEntity: snake_case, dates as epoch milliseconds, `owner` the primary owner, settings
 * `{ app: { type, client_id } }`, `api_key_mode`.
 */
export function toApplicationV1(app: Application, owner?: User): JsonObject {
  return withoutUndefined({
    id: app.id,
    name: app.name,
    description: app.description ?? undefined,
    domain: typeof app.settings.domain === 'string' ? app.settings.domain : undefined,
    groups: Array.isArray(app.settings.groups) ? app.settings.groups : [],
    status: app.status,
    type: app.type,
    picture: app.picture ?? undefined,
    created_at: epoch(app.createdAt),
    updated_at: epoch(app.updatedAt),
    owner: owner ? toPrimaryOwner(owner) : undefined,
    settings: { app: appSettings(app) },
    api_key_mode: apiKeyModeOf(app),
    disable_membership_notifications: false,
    origin: 'MANAGEMENT',
  });
}

/** Gravitee v1 SubscriptionEntity: related records by id, snake_case, dates as epoch milliseconds. */
export function toSubscriptionV1(sub: Subscription, plan?: Plan): JsonObject {
  return withoutUndefined({
    id: sub.id,
    api: sub.apiId,
    plan: sub.planId,
    application: sub.applicationId,
    client_id: sub.clientId ?? undefined,
    status: sub.status,
    security: plan?.securityType,
    request: sub.consumerMessage ?? undefined,
    reason: sub.publisherMessage ?? undefined,
    processed_at: epoch(sub.processedAt),
    processed_by: sub.processedBy ?? undefined,
    subscribed_by: sub.subscribedBy ?? undefined,
    starting_at: epoch(sub.startingAt),
    ending_at: epoch(sub.endingAt),
    created_at: epoch(sub.createdAt),
    updated_at: epoch(sub.updatedAt),
    closed_at: epoch(sub.closedAt),
    paused_at: epoch(sub.pausedAt),
    configuration: sub.configuration ?? undefined,
    metadata: sub.metadata ?? undefined,
    origin: 'MANAGEMENT',
  });
}

/** Gravitee v1 ApiKeyEntity, with the clear key only when it was just created. */
export function toApiKeyV1(key: ApiKey, clearKey?: string): JsonObject {
  return withoutUndefined({
    id: key.id,
    key: clearKey ?? key.keyMask,
    application: key.applicationId,
    subscriptions: key.subscriptionIds,
    revoked: key.revoked,
    paused: key.paused,
    expire_at: epoch(key.expireAt),
    revoked_at: epoch(key.revokedAt),
    created_at: epoch(key.createdAt),
    updated_at: epoch(key.updatedAt),
  });
}

/** Gravitee v1 `metadata` of a subscription page: names of the APIs and plans it refers to, by id. */
export function subscriptionMetadata(apis: Api[], plans: Plan[]): JsonObject {
  const out: JsonObject = {};
  for (const api of apis) out[api.id] = { name: api.name, version: api.apiVersion };
  for (const plan of plans) out[plan.id] = { name: plan.name, security: plan.securityType };
  return out;
}
