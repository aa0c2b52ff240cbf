import type { SubscriptionStatus } from '@apim/core';
import type { FastifyInstance } from 'fastify';
import { ApiParams } from '../apis/api-schemas.js';
import { resolveEnvironment } from '../http/environments.js';
import { ManagementError } from '../http/errors.js';
import { paged } from '../http/pagination.js';
import { principalOf, type RouteContext } from '../http/route-context.js';
import { requires } from '../security/permissions.js';
import { changeResponse, optionalBody, queryList, subscriptionPresenter } from './subscription-presenter.js';
import {
  AcceptSubscriptionBody,
  CreateSubscriptionBody,
  ExpandsQuery,
  ListSubscriptionsQuery,
  RejectSubscriptionBody,
  SUBSCRIPTION_EXPANDS,
  SUBSCRIPTION_STATUSES,
  SubscriptionParams,
  TransferSubscriptionBody,
  UpdateSubscriptionBody,
} from './subscription-schemas.js';

function checkedList<T extends string>(values: string[] | undefined, allowed: readonly T[], name: string): T[] {
  const list = queryList(values);
  const unknown = list.filter((v) => !(allowed as readonly string[]).includes(v));
  if (unknown.length > 0) {
    throw new ManagementError('MANAGEMENT_VALIDATION_FAILED', 'Invalid query parameters', undefined, undefined, [
      { path: `/${name}`, message: `must be one of: ${allowed.join(', ')} (got ${unknown.join(', ')})` },
    ]);
  }
  return list as T[];
}

const READ = requires('API', 'API_SUBSCRIPTION', 'READ');
const UPDATE = requires('API', 'API_SUBSCRIPTION', 'UPDATE');

/**
 * `/environments/{envId}/apis/{apiId}/subscriptions`: subscribe, list (by application, plan, status, API key), get,
 * update, and the lifecycle actions `_accept`, `_reject`, `_pause`, `_resume`, `_close`, `_transfer`
 * (Gravitee Management API v2, permission API_SUBSCRIPTION).
 */
export async function subscriptionRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const service = ctx.subscriptions;

  app.get<{ Params: ApiParams; Querystring: ListSubscriptionsQuery }>(
    '/:apiId/subscriptions',
    {
      schema: { params: ApiParams, querystring: ListSubscriptionsQuery },
      config: READ,
      // `?apiKey=` carries a clear key: keep this route's URL out of the info-level request logs.
      logLevel: 'warn',
    },
    async (request) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      const { page = 1, perPage = 10, apiKey } = request.query;
      const statuses = checkedList(request.query.statuses, SUBSCRIPTION_STATUSES, 'statuses');
      const expands = checkedList(request.query.expands, SUBSCRIPTION_EXPANDS, 'expands');
      const result = await service.list(
        env,
        request.params.apiId,
        {
          applicationIds: queryList(request.query.applicationIds),
          planIds: queryList(request.query.planIds),
          ...(statuses.length ? { statuses: statuses.filter((s) => s !== 'RESUMED') as SubscriptionStatus[] } : {}),
          ...(apiKey !== undefined ? { apiKey } : {}),
        },
        page,
        perPage,
      );
      const present = subscriptionPresenter(ctx.store, expands);
      const data = await Promise.all(result.data.map(present));
      return paged(request, data, { page, perPage, totalCount: result.totalCount });
    },
  );

  app.post<{ Params: ApiParams; Body: CreateSubscriptionBody }>(
    '/:apiId/subscriptions',
    {
      schema: { params: ApiParams, body: CreateSubscriptionBody },
      config: requires('API', 'API_SUBSCRIPTION', 'CREATE'),
    },
    async (request, reply) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      const { body } = request;
      const change = await service.create(
        env,
        request.params.apiId,
        {
          planId: body.planId,
          applicationId: body.applicationId,
          ...(body.consumerMessage !== undefined ? { consumerMessage: body.consumerMessage } : {}),
          ...(body.customApiKey !== undefined ? { customApiKey: body.customApiKey } : {}),
          ...(body.consumerConfiguration ? { configuration: body.consumerConfiguration } : {}),
          ...(body.metadata ? { metadata: body.metadata } : {}),
          ...(body.apiKeyMode ? { apiKeyMode: body.apiKeyMode } : {}),
        },
        principalOf(request).userId,
      );
      return reply.code(201).send(changeResponse(change));
    },
  );

  app.get<{ Params: SubscriptionParams; Querystring: ExpandsQuery }>(
    '/:apiId/subscriptions/:subscriptionId',
    { schema: { params: SubscriptionParams, querystring: ExpandsQuery }, config: READ },
    async (request) => {
      const { envId, apiId, subscriptionId } = request.params;
      const env = await resolveEnvironment(ctx.store, envId);
      const sub = await service.find(ctx.store, env, apiId, subscriptionId);
      const expands = checkedList(request.query.expands, SUBSCRIPTION_EXPANDS, 'expands');
      return subscriptionPresenter(ctx.store, expands)(sub);
    },
  );

  app.put<{ Params: SubscriptionParams; Body: UpdateSubscriptionBody }>(
    '/:apiId/subscriptions/:subscriptionId',
    { schema: { params: SubscriptionParams, body: UpdateSubscriptionBody }, config: UPDATE },
    async (request) => {
      const { envId, apiId, subscriptionId } = request.params;
      const env = await resolveEnvironment(ctx.store, envId);
      const { body } = request;
      const sub = await service.update(
        env,
        apiId,
        subscriptionId,
        {
          ...(body.startingAt !== undefined ? { startingAt: body.startingAt } : {}),
          ...(body.endingAt !== undefined ? { endingAt: body.endingAt } : {}),
          ...(body.consumerConfiguration ? { configuration: body.consumerConfiguration } : {}),
          ...(body.metadata ? { metadata: body.metadata } : {}),
        },
        principalOf(request).userId,
      );
      return subscriptionPresenter(ctx.store, [])(sub);
    },
  );

  app.post<{ Params: SubscriptionParams; Body: AcceptSubscriptionBody }>(
    '/:apiId/subscriptions/:subscriptionId/_accept',
    {
      schema: { params: SubscriptionParams, body: AcceptSubscriptionBody },
      config: UPDATE,
      preValidation: optionalBody,
    },
    async (request) => {
      const { envId, apiId, subscriptionId } = request.params;
      const env = await resolveEnvironment(ctx.store, envId);
      const { reason, startingAt, endingAt, customApiKey } = request.body;
      const change = await service.accept(
        env,
        apiId,
        subscriptionId,
        {
          ...(reason !== undefined ? { reason } : {}),
          ...(startingAt !== undefined ? { startingAt } : {}),
          ...(endingAt !== undefined ? { endingAt } : {}),
          ...(customApiKey !== undefined ? { customApiKey } : {}),
        },
        principalOf(request).userId,
      );
      return changeResponse(change);
    },
  );

  app.post<{ Params: SubscriptionParams; Body: RejectSubscriptionBody }>(
    '/:apiId/subscriptions/:subscriptionId/_reject',
    {
      schema: { params: SubscriptionParams, body: RejectSubscriptionBody },
      config: UPDATE,
      preValidation: optionalBody,
    },
    async (request) => {
      const { envId, apiId, subscriptionId } = request.params;
      const env = await resolveEnvironment(ctx.store, envId);
      const user = principalOf(request).userId;
      const sub = await service.reject(env, apiId, subscriptionId, request.body.reason, user);
      return subscriptionPresenter(ctx.store, [])(sub);
    },
  );

  for (const action of ['pause', 'resume', 'close'] as const) {
    app.post<{ Params: SubscriptionParams }>(
      `/:apiId/subscriptions/:subscriptionId/_${action}`,
      { schema: { params: SubscriptionParams }, config: UPDATE },
      async (request) => {
        const { envId, apiId, subscriptionId } = request.params;
        const env = await resolveEnvironment(ctx.store, envId);
        const sub = await service[action](env, apiId, subscriptionId, principalOf(request).userId);
        return subscriptionPresenter(ctx.store, [])(sub);
      },
    );
  }

  app.post<{ Params: SubscriptionParams; Body: TransferSubscriptionBody }>(
    '/:apiId/subscriptions/:subscriptionId/_transfer',
    { schema: { params: SubscriptionParams, body: TransferSubscriptionBody }, config: UPDATE },
    async (request) => {
      const { envId, apiId, subscriptionId } = request.params;
      const env = await resolveEnvironment(ctx.store, envId);
      const user = principalOf(request).userId;
      const sub = await service.transfer(env, apiId, subscriptionId, request.body.planId, user);
      return subscriptionPresenter(ctx.store, [])(sub);
    },
  );
}
