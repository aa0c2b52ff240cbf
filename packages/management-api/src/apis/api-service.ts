import {
  type Api,
  type ConfigStore,
  type Environment,
  type FieldError,
  type JsonObject,
  newId,
  nowIso,
  type Page,
  type Repositories,
} from '@apim/core';
import { apiNotFound, badRequest } from '../http/errors.js';
import type { Principal } from '../security/basic-authenticator.js';
import { canonicalJson, checkApiDefinition, deploymentDefinition, toStoredDefinition } from './api-definition.js';
import type { DeploymentState } from './api-mapper.js';
import type { CreateApiV4Body, UpdateApiV4Body } from './api-schemas.js';

/** Payload keys that belong to the definition a gateway runs (the rest are management fields with columns). */
const DEFINITION_FIELDS = [
  'type',
  'tags',
  'listeners',
  'endpointGroups',
  'analytics',
  'failover',
  'flowExecution',
  'flows',
  'properties',
  'resources',
  'responseTemplates',
  'services',
  'allowedInApiProducts',
  'allowMultiJwtOauth2Subscriptions',
  'disableMembershipNotifications',
] as const;

function pickDefinition(body: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of DEFINITION_FIELDS) if (body[key] !== undefined) out[key] = body[key];
  return out;
}

/** Finds an API of an environment, or throws the Gravitee 404 (`Api [id] cannot be found.`). */
export async function findApi(repos: Repositories, env: Environment, apiId: string): Promise<Api> {
  const api = await repos.apis.findById(apiId);
  if (!api || api.environmentId !== env.id) throw apiNotFound(apiId);
  return api;
}

/**
 * The API resources: create, read, search, replace and delete v4 APIs of an environment. Every definition is
 * validated by core before it is stored; every write of several records runs in one transaction.
 */
export class ApiService {
  constructor(private readonly store: ConfigStore) {}

  /** Creates a v4 API (state STOPPED, lifecycle CREATED, PRIVATE unless said otherwise), owned by the caller. */
  async create(env: Environment, body: CreateApiV4Body, principal: Principal): Promise<Api> {
    const id = newId();
    const definition = checkApiDefinition({
      analytics: { enabled: true },
      ...pickDefinition(body),
      id,
      name: body.name,
      apiVersion: body.apiVersion,
      definitionVersion: 'V4',
    });
    const now = nowIso();
    return this.store.apis.create({
      id,
      environmentId: env.id,
      crossId: newId(),
      name: definition.name,
      apiVersion: definition.apiVersion,
      description: body.description ?? null,
      type: definition.type,
      definitionVersion: 'V4',
      definition: toStoredDefinition(definition),
      state: 'STOPPED',
      lifecycleState: 'CREATED',
      visibility: body.visibility ?? 'PRIVATE',
      labels: body.labels ?? [],
      categories: body.categories ?? [],
      groups: body.groups ?? [],
      primaryOwnerId: principal.userId,
      picture: null,
      background: null,
      deployedAt: null,
      createdAt: now,
      updatedAt: now,
    });
  }

  /** The API, or a 404. */
  async get(env: Environment, apiId: string): Promise<Api> {
    return findApi(this.store, env, apiId);
  }

  /** One page of the environment's APIs, optionally filtered by a text on name and description. */
  async list(env: Environment, options: { page: number; perPage: number; query?: string }): Promise<Page<Api>> {
    const query = options.query?.trim();
    return this.store.apis.search(
      { environmentId: env.id, ...(query ? { query } : {}) },
      { page: options.page, perPage: options.perPage },
    );
  }

  /**
   * Replaces the editable fields (PUT semantics: an optional field left out goes back to its default). The type of
   * an API cannot change. The change is live on gateways only after the next deployment.
   */
  async update(env: Environment, apiId: string, body: UpdateApiV4Body): Promise<Api> {
    const api = await findApi(this.store, env, apiId);
    const errors: FieldError[] = [];
    if (body.type !== api.type) errors.push({ path: '/type', message: `cannot be changed (the API is ${api.type})` });
    const kept: JsonObject = {};
    for (const [key, value] of Object.entries(api.definition)) {
      if (!(DEFINITION_FIELDS as readonly string[]).includes(key)) kept[key] = value;
    }
    const definition = checkApiDefinition(
      {
        ...kept,
        analytics: { enabled: true },
        ...pickDefinition(body),
        id: api.id,
        name: body.name,
        apiVersion: body.apiVersion,
        definitionVersion: 'V4',
      },
      errors,
    );
    return this.store.apis.update({
      ...api,
      name: definition.name,
      apiVersion: definition.apiVersion,
      description: body.description ?? null,
      definition: toStoredDefinition(definition),
      visibility: body.visibility ?? api.visibility,
      lifecycleState: body.lifecycleState ?? api.lifecycleState,
      labels: body.labels ?? [],
      categories: body.categories ?? [],
      groups: body.groups ?? [],
      updatedAt: nowIso(),
    });
  }

  /**
   * Deletes a stopped API with its plans and its deployment history, in one transaction. Its events are replaced by
   * a single UNPUBLISH_API event, so gateways that sync incrementally drop it too. Refused (400) while the API is
   * started or while subscriptions to it are still open.
   */
  async delete(env: Environment, apiId: string): Promise<void> {
    await this.store.transaction(async (repos) => {
      const api = await findApi(repos, env, apiId);
      if (api.state === 'STARTED') {
        throw badRequest(`Api [${apiId}] is still running: stop it before deleting it.`, 'api.running', {
          api: apiId,
        });
      }
      const open = await repos.subscriptions.search(
        { apiId, statuses: ['PENDING', 'ACCEPTED', 'PAUSED'] },
        { page: 1, perPage: 1 },
      );
      if (open.totalCount > 0) {
        throw badRequest(
          `Api [${apiId}] still has ${open.totalCount} open subscription(s): close them before deleting it.`,
          'api.subscriptions.open',
          { api: apiId },
        );
      }
      await repos.plans.deleteByApi(apiId);
      await repos.deployments.deleteByApi(apiId);
      await repos.events.deleteByApi(apiId);
      await repos.events.create({
        id: newId(),
        environmentId: env.id,
        organizationId: env.organizationId,
        type: 'UNPUBLISH_API',
        payload: {},
        properties: { api_id: apiId },
        createdAt: nowIso(),
      });
      await repos.apis.delete(apiId);
    });
  }

  /**
   * DEPLOYED when the latest deployment snapshot equals what a deployment would write now (same definition, same
   * published and deprecated plans), NEED_REDEPLOY otherwise (or when the API was never deployed).
   */
  async deploymentState(api: Api): Promise<DeploymentState> {
    const latest = await this.store.deployments.findLatest(api.id);
    if (!latest) return 'NEED_REDEPLOY';
    const plans = await this.store.plans.search({ apiId: api.id });
    const now = canonicalJson(deploymentDefinition(api, plans));
    return now === canonicalJson(latest.definition) ? 'DEPLOYED' : 'NEED_REDEPLOY';
  }
}
