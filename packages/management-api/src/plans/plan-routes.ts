import type { PlanStatus } from '@apim/core';
import type { FastifyInstance } from 'fastify';
import { ApiParams } from '../apis/api-schemas.js';
import { resolveEnvironment } from '../http/environments.js';
import { ManagementError } from '../http/errors.js';
import { paged, slice } from '../http/pagination.js';
import { principalOf, type RouteContext } from '../http/route-context.js';
import { requires } from '../security/permissions.js';
import { toPlanV4 } from './plan-mapper.js';
import { CreatePlanV4Body, ListPlansQuery, PLAN_STATUSES, PlanParams, UpdatePlanV4Body } from './plan-schemas.js';

/** Splits `a,b` and repeated parameters into one upper-cased list. */
function csv(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toUpperCase())
    .filter(Boolean);
}

function parseStatuses(values: string[] | undefined): PlanStatus[] {
  const statuses = csv(values);
  const unknown = statuses.filter((s) => !(PLAN_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new ManagementError('MANAGEMENT_VALIDATION_FAILED', 'Invalid query parameters', undefined, undefined, [
      { path: '/statuses', message: `must be one of: ${PLAN_STATUSES.join(', ')} (got ${unknown.join(', ')})` },
    ]);
  }
  return statuses.length > 0 ? (statuses as PlanStatus[]) : ['PUBLISHED'];
}

/**
 * `/environments/{envId}/apis/{apiId}/plans`: create, list (by status, security, mode), get, update, delete, and the
 * lifecycle actions `_publish`, `_deprecate`, `_close` (permission API_PLAN).
 */
export async function planRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.post<{ Params: ApiParams; Body: CreatePlanV4Body }>(
    '/:apiId/plans',
    { schema: { params: ApiParams, body: CreatePlanV4Body }, config: requires('API', 'API_PLAN', 'CREATE') },
    async (request, reply) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      const plan = await ctx.plans.create(env, request.params.apiId, request.body);
      return reply.code(201).send(toPlanV4(plan));
    },
  );

  app.get<{ Params: ApiParams; Querystring: ListPlansQuery }>(
    '/:apiId/plans',
    { schema: { params: ApiParams, querystring: ListPlansQuery }, config: requires('API', 'API_PLAN', 'READ') },
    async (request) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      const { page = 1, perPage = 10, mode } = request.query;
      const statuses = parseStatuses(request.query.statuses);
      const securities = csv(request.query.securities);
      const plans = await ctx.plans.list(env, request.params.apiId, {
        statuses,
        ...(securities.length ? { securities } : {}),
        ...(mode ? { mode } : {}),
      });
      return paged(request, slice(plans, page, perPage).map(toPlanV4), { page, perPage, totalCount: plans.length });
    },
  );

  app.get<{ Params: PlanParams }>(
    '/:apiId/plans/:planId',
    { schema: { params: PlanParams }, config: requires('API', 'API_PLAN', 'READ') },
    async (request) => {
      const { envId, apiId, planId } = request.params;
      const env = await resolveEnvironment(ctx.store, envId);
      return toPlanV4(await ctx.plans.get(env, apiId, planId));
    },
  );

  app.post<{ Params: PlanParams }>(
    '/:apiId/plans/:planId/_publish',
    { schema: { params: PlanParams }, config: requires('API', 'API_PLAN', 'UPDATE') },
    async (request) => {
      const { envId, apiId, planId } = request.params;
      const env = await resolveEnvironment(ctx.store, envId);
      return toPlanV4(await ctx.plans.publish(env, apiId, planId));
    },
  );

  app.put<{ Params: PlanParams; Body: UpdatePlanV4Body }>(
    '/:apiId/plans/:planId',
    { schema: { params: PlanParams, body: UpdatePlanV4Body }, config: requires('API', 'API_PLAN', 'UPDATE') },
    async (request) => {
      const { envId, apiId, planId } = request.params;
      const env = await resolveEnvironment(ctx.store, envId);
      return toPlanV4(await ctx.plans.update(env, apiId, planId, request.body));
    },
  );

  app.delete<{ Params: PlanParams }>(
    '/:apiId/plans/:planId',
    { schema: { params: PlanParams }, config: requires('API', 'API_PLAN', 'DELETE') },
    async (request, reply) => {
      const { envId, apiId, planId } = request.params;
      const env = await resolveEnvironment(ctx.store, envId);
      await ctx.plans.delete(env, apiId, planId);
      return reply.code(204).send();
    },
  );

  for (const action of ['deprecate', 'close'] as const) {
    app.post<{ Params: PlanParams }>(
      `/:apiId/plans/:planId/_${action}`,
      { schema: { params: PlanParams }, config: requires('API', 'API_PLAN', 'UPDATE') },
      async (request) => {
        const { envId, apiId, planId } = request.params;
        const env = await resolveEnvironment(ctx.store, envId);
        return toPlanV4(await ctx.plans[action](env, apiId, planId, principalOf(request).userId));
      },
    );
  }
}
