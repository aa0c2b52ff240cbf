import type { Application, ConfigStore, Environment, SubscriptionStatus, User } from '@apim/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { resolveEnvironment } from '../http/environments.js';
import { environmentNotFound, invalidField } from '../http/errors.js';
import { principalOf, type RouteContext } from '../http/route-context.js';
import { requires } from '../security/permissions.js';
import { queryList } from '../subscriptions/subscription-presenter.js';
import { SUBSCRIPTION_STATUSES } from '../subscriptions/subscription-schemas.js';
import { subscriptionMetadata, toApiKeyV1, toApplicationV1, toSubscriptionV1 } from './application-mapper.js';
import {
  ApplicationParams,
  ApplicationSubscriptionsQuery,
  ListApplicationsQuery,
  NewApplicationBody,
  NewSubscriptionBody,
  SubscribeQuery,
  UpdateApplicationBody,
  V1EnvParams,
} from './application-schemas.js';

/** The environment of a v1 path, which must belong to the path's organization (404 otherwise). */
async function v1Environment(store: ConfigStore, params: { orgId: string; envId: string }): Promise<Environment> {
  const env = await resolveEnvironment(store, params.envId);
  if (env.organizationId !== params.orgId) throw environmentNotFound(params.envId);
  return env;
}

/** Gravitee v1's paged result: `{ data, metadata, page: { current, size, per_page, total_pages, total_elements } }`. */
function pagedResult<T>(data: T[], page: number, perPage: number, total: number, metadata: object = {}) {
  return {
    data,
    metadata,
    page: {
      current: page,
      size: data.length,
      per_page: perPage,
      total_pages: Math.ceil(total / perPage),
      total_elements: total,
    },
  };
}

function ownerLoader(store: ConfigStore) {
  const users = new Map<string, Promise<User | undefined>>();
  return async (app: Application): Promise<User | undefined> => {
    const id = app.primaryOwnerId;
    if (!id) return undefined;
    if (!users.has(id)) users.set(id, store.users.findById(id));
    return users.get(id);
  };
}

async function presentApplications(store: ConfigStore, apps: Application[]) {
  const owner = ownerLoader(store);
  return Promise.all(apps.map(async (app) => toApplicationV1(app, await owner(app))));
}

/**
 * Gravitee Management API v1 applications, under `/management/organizations/{orgId}/environments/{envId}`:
 * `/applications` (list, `_paged`, create), `/applications/{application}` (get, update, delete = archive) and
 * `/applications/{application}/subscriptions` (list, subscribe).
 */
export async function applicationRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const service = ctx.applications;

  app.get<{ Params: V1EnvParams; Querystring: ListApplicationsQuery }>(
    '/applications',
    {
      schema: { params: V1EnvParams, querystring: ListApplicationsQuery },
      config: requires('ENVIRONMENT', 'ENVIRONMENT_APPLICATION', 'READ'),
    },
    async (request) => {
      const env = await v1Environment(ctx.store, request.params);
      const filter = {
        ...(request.query.query ? { query: request.query.query } : {}),
        ...(request.query.status ? { status: request.query.status } : {}),
      };
      const all: Application[] = [];
      for (let page = 1; ; page++) {
        const result = await service.list(env, filter, page, 1000);
        all.push(...result.data);
        if (all.length >= result.totalCount || result.data.length === 0) break;
      }
      return presentApplications(ctx.store, all);
    },
  );

  app.get<{ Params: V1EnvParams; Querystring: ListApplicationsQuery }>(
    '/applications/_paged',
    {
      schema: { params: V1EnvParams, querystring: ListApplicationsQuery },
      config: requires('ENVIRONMENT', 'ENVIRONMENT_APPLICATION', 'READ'),
    },
    async (request) => {
      const env = await v1Environment(ctx.store, request.params);
      const { page = 1, size = 10, query, status } = request.query;
      const result = await service.list(
        env,
        { ...(query ? { query } : {}), ...(status ? { status } : {}) },
        page,
        size,
      );
      return pagedResult(await presentApplications(ctx.store, result.data), page, size, result.totalCount);
    },
  );

  app.post<{ Params: V1EnvParams; Body: NewApplicationBody }>(
    '/applications',
    {
      schema: { params: V1EnvParams, body: NewApplicationBody },
      config: requires('ENVIRONMENT', 'ENVIRONMENT_APPLICATION', 'CREATE'),
    },
    async (request, reply) => {
      const env = await v1Environment(ctx.store, request.params);
      const principal = principalOf(request);
      const created = await service.create(env, request.body, principal);
      const owner = await ctx.store.users.findById(principal.userId);
      return reply
        .code(201)
        .header('location', `${requestBase(request)}/applications/${created.id}`)
        .send(toApplicationV1(created, owner));
    },
  );

  app.get<{ Params: ApplicationParams }>(
    '/applications/:appId',
    { schema: { params: ApplicationParams }, config: requires('APPLICATION', 'APPLICATION_DEFINITION', 'READ') },
    async (request) => {
      const env = await v1Environment(ctx.store, request.params);
      const found = await service.get(env, request.params.appId);
      return toApplicationV1(found, await ownerLoader(ctx.store)(found));
    },
  );

  app.put<{ Params: ApplicationParams; Body: UpdateApplicationBody }>(
    '/applications/:appId',
    {
      schema: { params: ApplicationParams, body: UpdateApplicationBody },
      config: requires('APPLICATION', 'APPLICATION_DEFINITION', 'UPDATE'),
    },
    async (request) => {
      const env = await v1Environment(ctx.store, request.params);
      const updated = await service.update(env, request.params.appId, request.body);
      return toApplicationV1(updated, await ownerLoader(ctx.store)(updated));
    },
  );

  app.delete<{ Params: ApplicationParams }>(
    '/applications/:appId',
    { schema: { params: ApplicationParams }, config: requires('APPLICATION', 'APPLICATION_DEFINITION', 'DELETE') },
    async (request, reply) => {
      const env = await v1Environment(ctx.store, request.params);
      await service.archive(env, request.params.appId, principalOf(request).userId);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: ApplicationParams; Querystring: ApplicationSubscriptionsQuery }>(
    '/applications/:appId/subscriptions',
    {
      schema: { params: ApplicationParams, querystring: ApplicationSubscriptionsQuery },
      config: requires('APPLICATION', 'APPLICATION_SUBSCRIPTION', 'READ'),
    },
    async (request) => {
      const env = await v1Environment(ctx.store, request.params);
      const { page = 1, size = 20, api } = request.query;
      const statuses = queryList(request.query.status).map((s) => s.toUpperCase());
      const unknown = statuses.filter((s) => !(SUBSCRIPTION_STATUSES as readonly string[]).includes(s));
      if (unknown.length) throw invalidField('/status', `must be among ${SUBSCRIPTION_STATUSES.join(', ')}`);
      const result = await service.subscriptionsOf(
        env,
        request.params.appId,
        { statuses: statuses as SubscriptionStatus[], ...(api ? { apiId: api } : {}) },
        page,
        size,
      );
      const apiIds = [...new Set(result.data.map((s) => s.apiId))];
      const planIds = [...new Set(result.data.map((s) => s.planId))];
      const apis = (await ctx.store.apis.search({ ids: apiIds }, { perPage: 1000 })).data;
      const plans = (await Promise.all(planIds.map((id) => ctx.store.plans.findById(id)))).filter(
        (p) => p !== undefined,
      );
      const planOf = (id: string) => plans.find((p) => p.id === id);
      const data = result.data.map((s) => toSubscriptionV1(s, planOf(s.planId)));
      return pagedResult(data, page, size, result.totalCount, subscriptionMetadata(apis, plans));
    },
  );

  app.post<{ Params: ApplicationParams; Querystring: SubscribeQuery; Body: NewSubscriptionBody }>(
    '/applications/:appId/subscriptions',
    {
      schema: { params: ApplicationParams, querystring: SubscribeQuery, body: NewSubscriptionBody },
      config: requires('APPLICATION', 'APPLICATION_SUBSCRIPTION', 'CREATE'),
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request, reply) => {
      const env = await v1Environment(ctx.store, request.params);
      const { body } = request;
      const planId = body.plan ?? request.query.plan;
      if (!planId) throw invalidField('/plan', 'is required (in the body or as the `plan` query parameter)');
      await service.get(env, request.params.appId);
      const change = await ctx.subscriptions.createForApplication(
        env,
        {
          planId,
          applicationId: request.params.appId,
          ...(body.request !== undefined ? { consumerMessage: body.request } : {}),
          ...(body.customApiKey !== undefined ? { customApiKey: body.customApiKey } : {}),
          ...(body.configuration ? { configuration: body.configuration } : {}),
          ...(body.metadata ? { metadata: body.metadata } : {}),
          ...(body.apiKeyMode ? { apiKeyMode: body.apiKeyMode } : {}),
        },
        principalOf(request).userId,
      );
      const plan = await ctx.store.plans.findById(change.subscription.planId);
      const out = toSubscriptionV1(change.subscription, plan);
      if (change.issued?.clearKey) out.keys = [toApiKeyV1(change.issued.key, change.issued.clearKey)];
      return reply.code(201).send(out);
    },
  );
}

function requestBase(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${request.url.split('?')[0]!.replace(/\/applications\/?$/, '')}`;
}
