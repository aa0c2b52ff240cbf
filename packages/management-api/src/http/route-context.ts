import type { ConfigStore } from '@apim/core';
import type { FastifyRequest } from 'fastify';
import type { ApiService } from '../apis/api-service.js';
import type { ApplicationService } from '../applications/application-service.js';
import type { DeploymentService } from '../deployments/deployment-service.js';
import type { PlanService } from '../plans/plan-service.js';
import type { Principal } from '../security/basic-authenticator.js';
import type { SubscriptionService } from '../subscriptions/subscription-service.js';
import { ManagementError } from './errors.js';

/** What route modules receive: the store and the services built on it. */
export interface RouteContext {
  store: ConfigStore;
  apis: ApiService;
  plans: PlanService;
  deployments: DeploymentService;
  subscriptions: SubscriptionService;
  applications: ApplicationService;
}

/** Base path of the Management API v2 resources of an environment. */
export const ENVIRONMENT_PREFIX = '/management/v2/environments/:envId';

/** Base path of the Management API v1 resources of an environment (Gravitee's `/management/organizations/...`). */
export const V1_ENVIRONMENT_PREFIX = '/management/organizations/:orgId/environments/:envId';

/** The authenticated caller of a route (the security hook guarantees one on every non-public route). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ManagementError('MANAGEMENT_UNAUTHORIZED', 'Authentication is required.');
  return request.principal;
}

/** Absolute URL of an API resource, as the request reached it (for `_links`). */
export function apiUrl(request: FastifyRequest, envId: string, apiId: string): string {
  const env = encodeURIComponent(envId);
  return `${request.protocol}://${request.host}/management/v2/environments/${env}/apis/${encodeURIComponent(apiId)}`;
}
