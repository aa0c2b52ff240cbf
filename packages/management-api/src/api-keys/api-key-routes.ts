import { type Application, type ConfigStore, type Environment, nowIso, type Subscription } from '@apim/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { resolveEnvironment } from '../http/environments.js';
import { badRequest, parseDate } from '../http/errors.js';
import { PaginationQuery, paged, slice } from '../http/pagination.js';
import { principalOf, type RouteContext } from '../http/route-context.js';
import { requires } from '../security/permissions.js';
import type { Operation } from '../subscriptions/change-events.js';
import { toApiKeyV2 } from '../subscriptions/subscription-mapper.js';
import { optionalBody } from '../subscriptions/subscription-presenter.js';
import {
  ApiKeyParams,
  RenewApiKeyBody,
  SubscriptionParams,
  UpdateApiKeyBody,
} from '../subscriptions/subscription-schemas.js';

const UPDATE = requires('API', 'API_SUBSCRIPTION', 'UPDATE');
const ListQuery = Type.Object(PaginationQuery);

async function applicationOf(
  store: Pick<ConfigStore, 'applications'>,
  sub: Subscription,
): Promise<Application | undefined> {
  return store.applications.findById(sub.applicationId);
}

/**
 * `/environments/{envId}/apis/{apiId}/subscriptions/{subscriptionId}/api-keys`: list (masked keys), `_renew` (the
 * new clear key is in this response only), `{apiKeyId}` PUT (expiry), `_revoke` and `_reactivate`
 * (permission API_SUBSCRIPTION).
 */
export async function apiKeyRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const subscriptions = ctx.subscriptions;
  const keys = subscriptions.keys;

  /** Runs `fn` on a subscription of the API inside one transaction. */
  const onSubscription = async <T>(
    params: SubscriptionParams,
    actor: string,
    fn: (op: Operation, sub: Subscription, env: Environment) => Promise<T>,
  ): Promise<T> => {
    const env = await resolveEnvironment(ctx.store, params.envId);
    return subscriptions.run(env, actor, async (op) => {
      const sub = await subscriptions.find(op.repos, env, params.apiId, params.subscriptionId);
      return fn(op, sub, env);
    });
  };

  app.get<{ Params: SubscriptionParams; Querystring: { page?: number; perPage?: number } }>(
    '/:apiId/subscriptions/:subscriptionId/api-keys',
    {
      schema: { params: SubscriptionParams, querystring: ListQuery },
      config: requires('API', 'API_SUBSCRIPTION', 'READ'),
    },
    async (request) => {
      const { envId, apiId, subscriptionId } = request.params;
      const env = await resolveEnvironment(ctx.store, envId);
      const sub = await subscriptions.find(ctx.store, env, apiId, subscriptionId);
      const all = (await keys.list({ repos: ctx.store }, sub)).reverse();
      const application = await applicationOf(ctx.store, sub);
      const { page = 1, perPage = 10 } = request.query;
      const now = nowIso();
      const data = slice(all, page, perPage).map((k) => toApiKeyV2(k, application, now));
      return paged(request, data, { page, perPage, totalCount: all.length });
    },
  );

  app.post<{ Params: SubscriptionParams; Body: RenewApiKeyBody }>(
    '/:apiId/subscriptions/:subscriptionId/api-keys/_renew',
    { schema: { params: SubscriptionParams, body: RenewApiKeyBody }, config: UPDATE, preValidation: optionalBody },
    async (request) => {
      const { customApiKey } = request.body;
      return onSubscription(request.params, principalOf(request).userId, async (op, sub) => {
        const plan = await op.repos.plans.findById(sub.planId);
        if (plan?.securityType !== 'API_KEY') {
          throw badRequest(`Subscription [${sub.id}] is not on an API_KEY plan.`, 'subscription.notApiKey', {
            subscription: sub.id,
          });
        }
        if (sub.status !== 'ACCEPTED' && sub.status !== 'PAUSED') {
          throw badRequest(
            `Subscription [${sub.id}] is ${sub.status}: only an ACCEPTED or PAUSED subscription has keys to renew.`,
            'subscription.status.invalid',
            { subscription: sub.id, status: sub.status },
          );
        }
        keys.checkCustomKey(customApiKey);
        const issued = await keys.renew(op, sub, customApiKey);
        return toApiKeyV2(issued.key, await applicationOf(op.repos, sub), op.now, issued.clearKey);
      });
    },
  );

  app.put<{ Params: ApiKeyParams; Body: UpdateApiKeyBody }>(
    '/:apiId/subscriptions/:subscriptionId/api-keys/:apiKeyId',
    { schema: { params: ApiKeyParams, body: UpdateApiKeyBody }, config: UPDATE },
    async (request) => {
      const expireAt = parseDate(request.body.expireAt, '/expireAt');
      return onSubscription(request.params, principalOf(request).userId, async (op, sub) => {
        const key = await keys.setExpireAt(op, sub, request.params.apiKeyId, expireAt);
        return toApiKeyV2(key, await applicationOf(op.repos, sub), op.now);
      });
    },
  );

  app.post<{ Params: ApiKeyParams }>(
    '/:apiId/subscriptions/:subscriptionId/api-keys/:apiKeyId/_revoke',
    { schema: { params: ApiKeyParams }, config: UPDATE },
    async (request) =>
      onSubscription(request.params, principalOf(request).userId, async (op, sub) => {
        const key = await keys.revoke(op, sub, request.params.apiKeyId);
        return toApiKeyV2(key, await applicationOf(op.repos, sub), op.now);
      }),
  );

  app.post<{ Params: ApiKeyParams }>(
    '/:apiId/subscriptions/:subscriptionId/api-keys/:apiKeyId/_reactivate',
    { schema: { params: ApiKeyParams }, config: UPDATE },
    async (request) =>
      onSubscription(request.params, principalOf(request).userId, async (op, sub) => {
        if (sub.status !== 'ACCEPTED' && sub.status !== 'PAUSED') {
          throw badRequest(
            `Subscription [${sub.id}] is ${sub.status}: its keys cannot be reactivated.`,
            'subscription.status.invalid',
            { subscription: sub.id, status: sub.status },
          );
        }
        const key = await keys.reactivate(op, sub, request.params.apiKeyId);
        return toApiKeyV2(key, await applicationOf(op.repos, sub), op.now);
      }),
  );
}
