import type { Api, User } from '@apim/core';
import type { FastifyRequest } from 'fastify';
import { apiUrl, type RouteContext } from '../http/route-context.js';
import { type ApiV4, type PrimaryOwner, toApiV4, toPrimaryOwner } from './api-mapper.js';

/**
 * Presents API records of one request as ApiV4 with their `_links`, primary owner (each owner looked up once per
 * request) and, when asked, their deployment state.
 *
 * @example
 * const present = presenter(ctx, request, request.params.envId);
 * return present(api, true);
 */
export function presenter(ctx: RouteContext, request: FastifyRequest, envId: string) {
  const owners = new Map<string, Promise<User | undefined>>();
  const ownerOf = async (api: Api): Promise<PrimaryOwner | undefined> => {
    if (!api.primaryOwnerId) return undefined;
    if (!owners.has(api.primaryOwnerId)) owners.set(api.primaryOwnerId, ctx.store.users.findById(api.primaryOwnerId));
    const user = await owners.get(api.primaryOwnerId);
    return user ? toPrimaryOwner(user) : undefined;
  };
  return async (api: Api, withDeploymentState: boolean): Promise<ApiV4> => {
    const primaryOwner = await ownerOf(api);
    return toApiV4(api, {
      selfUrl: apiUrl(request, envId, api.id),
      ...(primaryOwner ? { primaryOwner } : {}),
      ...(withDeploymentState ? { deploymentState: await ctx.apis.deploymentState(api) } : {}),
    });
  };
}
