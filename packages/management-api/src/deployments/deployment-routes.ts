import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ApiDeploymentBody, ApiParams } from '../apis/api-schemas.js';
import { resolveEnvironment } from '../http/environments.js';
import { PaginationQuery, paged } from '../http/pagination.js';
import { principalOf, type RouteContext } from '../http/route-context.js';
import { requires } from '../security/permissions.js';
import { toDeploymentResponse } from './deployment-mapper.js';

const DeploymentParams = Type.Object({
  envId: Type.String({ minLength: 1 }),
  apiId: Type.String({ minLength: 1 }),
  deploymentId: Type.String({ minLength: 1 }),
});
const HistoryQuery = Type.Object(PaginationQuery);

/**
 * Deployments (`POST` 202, history newest first, `current`, one by id) and the runtime state of an API
 * (`_start` and `_stop`, 204 as in Gravitee's OpenAPI document).
 */
export async function deploymentRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.post<{ Params: ApiParams; Body: ApiDeploymentBody }>(
    '/:apiId/deployments',
    {
      schema: { params: ApiParams, body: ApiDeploymentBody },
      config: requires('API', 'API_DEFINITION', 'UPDATE'),
      // The body is optional: no body means no label.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request, reply) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      const label = request.body.deploymentLabel;
      const { deployment } = await ctx.deployments.deploy(env, request.params.apiId, label, principalOf(request));
      return reply.code(202).send(toDeploymentResponse(deployment, false));
    },
  );

  app.get<{ Params: ApiParams; Querystring: { page?: number; perPage?: number } }>(
    '/:apiId/deployments',
    { schema: { params: ApiParams, querystring: HistoryQuery }, config: requires('API', 'API_DEFINITION', 'READ') },
    async (request) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      const { page = 1, perPage = 10 } = request.query;
      const history = await ctx.deployments.history(env, request.params.apiId, page, perPage);
      const data = history.data.map((d) => toDeploymentResponse(d, false));
      return paged(request, data, { page, perPage, totalCount: history.totalCount });
    },
  );

  app.get<{ Params: ApiParams }>(
    '/:apiId/deployments/current',
    { schema: { params: ApiParams }, config: requires('API', 'API_DEFINITION', 'READ') },
    async (request) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      return toDeploymentResponse(await ctx.deployments.current(env, request.params.apiId), true);
    },
  );

  app.get<{ Params: { envId: string; apiId: string; deploymentId: string } }>(
    '/:apiId/deployments/:deploymentId',
    { schema: { params: DeploymentParams }, config: requires('API', 'API_DEFINITION', 'READ') },
    async (request) => {
      const { envId, apiId, deploymentId } = request.params;
      const env = await resolveEnvironment(ctx.store, envId);
      return toDeploymentResponse(await ctx.deployments.get(env, apiId, deploymentId), true);
    },
  );

  app.post<{ Params: ApiParams }>(
    '/:apiId/_start',
    { schema: { params: ApiParams }, config: requires('API', 'API_DEFINITION', 'UPDATE') },
    async (request, reply) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      await ctx.deployments.start(env, request.params.apiId, principalOf(request));
      return reply.code(204).send();
    },
  );

  app.post<{ Params: ApiParams }>(
    '/:apiId/_stop',
    { schema: { params: ApiParams }, config: requires('API', 'API_DEFINITION', 'UPDATE') },
    async (request, reply) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      await ctx.deployments.stop(env, request.params.apiId, principalOf(request));
      return reply.code(204).send();
    },
  );
}
