import type { ConfigStore, JsonObject, Subscription } from '@apim/core';
import { nowIso } from '@apim/core';
import type { FastifyRequest } from 'fastify';
import { toApiKeyV2, toSubscriptionV2 } from './subscription-mapper.js';
import type { SubscriptionChange } from './subscription-service.js';

/** Splits `a,b` and repeated query parameters into one list. */
export function queryList(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Treats a missing body as `{}` (for actions whose body is optional in practice: `_accept`, `_reject`...). */
export async function optionalBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

/**
 * Presents subscriptions as Gravitee v2 Subscription payloads, expanding `api`, `plan`, `application` and
 * `subscribedBy` when asked (each related record read once per request).
 */
export function subscriptionPresenter(store: ConfigStore, expands: readonly string[]) {
  const cache = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    if (!cache.has(key)) cache.set(key, load());
    return cache.get(key) as Promise<T>;
  };
  const want = (name: string) => expands.includes(name);
  return async (sub: Subscription): Promise<JsonObject> => {
    const api = want('api') ? await once(`api:${sub.apiId}`, () => store.apis.findById(sub.apiId)) : undefined;
    const plan = want('plan') ? await once(`plan:${sub.planId}`, () => store.plans.findById(sub.planId)) : undefined;
    const application = want('application')
      ? await once(`app:${sub.applicationId}`, () => store.applications.findById(sub.applicationId))
      : undefined;
    const ownerId = application?.primaryOwnerId;
    const applicationOwner = ownerId ? await once(`user:${ownerId}`, () => store.users.findById(ownerId)) : undefined;
    const byId = sub.subscribedBy;
    const subscribedBy =
      want('subscribedBy') && byId ? await once(`user:${byId}`, () => store.users.findById(byId)) : undefined;
    return toSubscriptionV2(sub, {
      ...(api ? { api } : {}),
      ...(plan ? { plan } : {}),
      ...(application ? { application } : {}),
      ...(applicationOwner ? { applicationOwner } : {}),
      ...(subscribedBy ? { subscribedBy } : {}),
    });
  };
}

/**
 * The response of a change: the Subscription, plus `apiKeys` with the clear key when the change created one (the
 * only time the key is ever shown).
 */
export function changeResponse(change: SubscriptionChange): JsonObject {
  const body = toSubscriptionV2(change.subscription);
  const { issued } = change;
  if (issued?.clearKey) body.apiKeys = [toApiKeyV2(issued.key, change.application, nowIso(), issued.clearKey)];
  return body;
}
