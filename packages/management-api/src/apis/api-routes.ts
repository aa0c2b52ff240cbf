import type { FastifyInstance } from 'fastify';
import { resolveEnvironment } from '../http/environments.js';
import { paged } from '../http/pagination.js';
import { apiUrl, principalOf, type RouteContext } from '../http/route-context.js';
import { requires } from '../security/permissions.js';
import { presenter } from './api-presenter.js';
import { ApiParams, CreateApiV4Body, EnvParams, ListApisQuery, UpdateApiV4Body } from './api-schemas.js';

/**
 * `/environments/{envId}/apis`: list, create, get, update and delete v4 APIs (Gravitee Management API v2).
 * Responses are ApiV4; a single API carries its `deploymentState`, a list only with `expands=deploymentState`.
 */
export async function apiRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.get<{ Params: EnvParams; Querystring: ListApisQuery }>(
    '/',
    {
      schema: { params: EnvParams, querystring: ListApisQuery },
      config: requires('ENVIRONMENT', 'ENVIRONMENT_API', 'READ'),
    },
    async (request) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      const { page = 1, perPage = 10 } = request.query;
      const query = request.query.q ?? request.query.query;
      const result = await ctx.apis.list(env, { page, perPage, ...(query ? { query } : {}) });
      const present = presenter(ctx, request, request.params.envId);
      const withState = request.query.expands?.includes('deploymentState') ?? false;
      const data = await Promise.all(result.data.map((api) => present(api, withState)));
      return paged(request, data, { page, perPage, totalCount: result.totalCount });
    },
  );

  app.post<{ Params: EnvParams; Body: CreateApiV4Body }>(
    '/',
    {
      schema: { params: EnvParams, body: CreateApiV4Body },
      config: requires('ENVIRONMENT', 'ENVIRONMENT_API', 'CREATE'),
    },
    async (request, reply) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      const api = await ctx.apis.create(env, request.body, principalOf(request));
      const body = await presenter(ctx, request, request.params.envId)(api, true);
      return reply
        .code(201)
        .header('location', apiUrl(request, request.params.envId, api.id))
        .send(body);
    },
  );

  app.get<{ Params: ApiParams }>(
    '/:apiId',
    { schema: { params: ApiParams }, config: requires('API', 'API_DEFINITION', 'READ') },
    async (request) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      const api = await ctx.apis.get(env, request.params.apiId);
      return presenter(ctx, request, request.params.envId)(api, true);
    },
  );

  app.put<{ Params: ApiParams; Body: UpdateApiV4Body }>(
    '/:apiId',
    { schema: { params: ApiParams, body: UpdateApiV4Body }, config: requires('API', 'API_DEFINITION', 'UPDATE') },
    async (request) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      const api = await ctx.apis.update(env, request.params.apiId, request.body);
      return presenter(ctx, request, request.params.envId)(api, true);
    },
  );

  app.delete<{ Params: ApiParams }>(
    '/:apiId',
    { schema: { params: ApiParams }, config: requires('API', 'API_DEFINITION', 'DELETE') },
    async (request, reply) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      await ctx.apis.delete(env, request.params.apiId);
      return reply.code(204).send();
    },
  );
}
