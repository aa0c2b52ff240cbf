import {
  type Api,
  type ConfigStore,
  type Deployment,
  type Environment,
  type EventType,
  newId,
  nowIso,
  type Page,
  type Repositories,
} from '@apim/core';
import { checkDeploymentFlows, deploymentDefinition } from '../apis/api-definition.js';
import { findApi } from '../apis/api-service.js';
import { badRequest, ManagementError } from '../http/errors.js';
import type { Principal } from '../security/basic-authenticator.js';

async function writeEvent(
  repos: Repositories,
  env: Environment,
  type: EventType,
  api: Api,
  principal: Principal,
  payload: Record<string, unknown>,
  extra: Record<string, string> = {},
  createdAt = nowIso(),
): Promise<void> {
  await repos.events.create({
    id: newId(),
    environmentId: env.id,
    organizationId: env.organizationId,
    type,
    payload,
    properties: { api_id: api.id, user: principal.userId, ...extra },
    createdAt,
  });
}

/**
 * Deployments and the runtime state of APIs. A deployment is an immutable snapshot `{ api, plans }` (revision 1, 2,
 * 3... per API) announced to gateways by a PUBLISH_API event; `_start` and `_stop` write START_API and STOP_API.
 */
export class DeploymentService {
  constructor(private readonly store: ConfigStore) {}

  /**
   * Snapshots the API's current definition and its published and deprecated plans as the next revision, writes the
   * PUBLISH_API event (`properties.api_id`, `payload.deploymentId`) and sets `deployedAt`, in one transaction.
   */
  async deploy(
    env: Environment,
    apiId: string,
    label: string | undefined,
    principal: Principal,
  ): Promise<{ api: Api; deployment: Deployment }> {
    return this.store.transaction(async (repos) => {
      const api = await findApi(repos, env, apiId);
      if (api.lifecycleState === 'ARCHIVED') {
        throw badRequest(`Api [${apiId}] is archived and cannot be deployed.`, 'api.archived', { api: apiId });
      }
      const plans = await repos.plans.search({ apiId });
      const snapshot = deploymentDefinition(api, plans);
      checkDeploymentFlows(snapshot);
      const latest = await repos.deployments.findLatest(apiId);
      const now = nowIso();
      const deployment = await repos.deployments.create({
        id: newId(),
        apiId,
        environmentId: env.id,
        revision: (latest?.revision ?? 0) + 1,
        label: label ?? null,
        definition: snapshot,
        deployedBy: principal.userId,
        createdAt: now,
      });
      const extra: Record<string, string> = { deployment_number: String(deployment.revision) };
      if (label) extra.deployment_label = label;
      await writeEvent(repos, env, 'PUBLISH_API', api, principal, { deploymentId: deployment.id }, extra, now);
      const updated = await repos.apis.update({ ...api, deployedAt: now, updatedAt: now });
      return { api: updated, deployment };
    });
  }

  /** The API's deployments, newest first. */
  async history(env: Environment, apiId: string, page: number, perPage: number): Promise<Page<Deployment>> {
    await findApi(this.store, env, apiId);
    return this.store.deployments.findByApi(apiId, { page, perPage });
  }

  /** The latest deployment, or a 404 when the API was never deployed. */
  async current(env: Environment, apiId: string): Promise<Deployment> {
    await findApi(this.store, env, apiId);
    const latest = await this.store.deployments.findLatest(apiId);
    if (!latest) {
      throw new ManagementError(
        'MANAGEMENT_NOT_FOUND',
        `Api [${apiId}] has never been deployed.`,
        'api.deployment.notFound',
        { api: apiId },
      );
    }
    return latest;
  }

  /** One deployment of the API, or a 404. */
  async get(env: Environment, apiId: string, deploymentId: string): Promise<Deployment> {
    await findApi(this.store, env, apiId);
    const deployment = await this.store.deployments.findById(deploymentId);
    if (!deployment || deployment.apiId !== apiId) {
      throw new ManagementError(
        'MANAGEMENT_NOT_FOUND',
        `Deployment [${deploymentId}] cannot be found.`,
        'deployment.notFound',
        { deployment: deploymentId },
      );
    }
    return deployment;
  }

  /**
   * Starts a deployed API: state STARTED and a START_API event. Refused (400) when it is already started, archived,
   * or was never deployed (a gateway would have nothing to start).
   */
  async start(env: Environment, apiId: string, principal: Principal): Promise<Api> {
    return this.changeState(env, apiId, principal, 'STARTED');
  }

  /** Stops a started API: state STOPPED and a STOP_API event. Refused (400) when it is not started. */
  async stop(env: Environment, apiId: string, principal: Principal): Promise<Api> {
    return this.changeState(env, apiId, principal, 'STOPPED');
  }

  private async changeState(
    env: Environment,
    apiId: string,
    principal: Principal,
    target: 'STARTED' | 'STOPPED',
  ): Promise<Api> {
    return this.store.transaction(async (repos) => {
      const api = await findApi(repos, env, apiId);
      const params = { api: apiId };
      if (api.lifecycleState === 'ARCHIVED') {
        throw badRequest(`Api [${apiId}] is archived: its state cannot change.`, 'api.archived', params);
      }
      if (api.state === target) {
        const verb = target === 'STARTED' ? 'started' : 'stopped';
        throw badRequest(`Api [${apiId}] is already ${verb}.`, `api.already.${verb}`, params);
      }
      const latest = await repos.deployments.findLatest(apiId);
      if (target === 'STARTED' && !latest) {
        throw badRequest(`Api [${apiId}] must be deployed before it can be started.`, 'api.notDeployed', params);
      }
      const now = nowIso();
      const updated = await repos.apis.update({ ...api, state: target, updatedAt: now });
      const type = target === 'STARTED' ? 'START_API' : 'STOP_API';
      await writeEvent(repos, env, type, api, principal, latest ? { deploymentId: latest.id } : {}, {}, now);
      return updated;
    });
  }
}
