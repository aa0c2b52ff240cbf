import {
  type Api,
  type ApiDefinition,
  type ApiExport,
  type ConfigStore,
  type Environment,
  exportDefinition,
  type GraviteeMember,
  importDefinition,
  type JsonObject,
  newId,
  nowIso,
  type PlanDefinition,
} from '@apim/core';
import { toPlanV4 } from '../plans/plan-mapper.js';
import { toPlanRecord } from '../plans/plan-service.js';
import type { Principal } from '../security/basic-authenticator.js';
import { checkApiDefinition, checkPlanDefinition, toStoredDefinition } from './api-definition.js';
import { toApiV4, toPrimaryOwner } from './api-mapper.js';
import { findApi } from './api-service.js';

/**
 * Creates an API from a definition file (Gravitee v4 export, v2 definition, Kubernetes operator resource; JSON or
 * YAML text or a parsed document), with its plans, in one transaction.
 *
 * As Gravitee does for `POST .../apis/_import/definition`, this always creates a new API: the API and its plans get
 * new ids (the file's ids are not reused, so importing the same file twice gives two APIs). The file's `crossId`
 * is kept unless another API of the environment already has it. The API starts STOPPED and never deployed; its
 * lifecycle state, visibility, labels, categories and groups come from the file; plans keep their status
 * (a PUBLISHED plan stays published). Pages, members, metadata and media are not stored yet.
 */
export async function importApi(
  store: ConfigStore,
  env: Environment,
  input: unknown,
  principal: Principal,
): Promise<Api> {
  const imported = importDefinition(input);
  const source = imported.api;
  const id = newId();
  const definition = checkApiDefinition({ ...(source as unknown as JsonObject), id });
  const now = nowIso();
  return store.transaction(async (repos) => {
    const sameCrossId = source.crossId
      ? await repos.apis.search({ environmentId: env.id, crossId: source.crossId }, { page: 1, perPage: 1 })
      : undefined;
    const api = await repos.apis.create({
      id,
      environmentId: env.id,
      crossId: source.crossId && sameCrossId?.totalCount === 0 ? source.crossId : newId(),
      name: definition.name,
      apiVersion: definition.apiVersion,
      description: source.description ?? null,
      type: definition.type,
      definitionVersion: 'V4',
      definition: toStoredDefinition(definition),
      state: 'STOPPED',
      lifecycleState: source.lifecycleState ?? 'CREATED',
      visibility: source.visibility ?? 'PRIVATE',
      labels: source.labels ?? [],
      categories: source.categories ?? [],
      groups: source.groups ?? [],
      primaryOwnerId: principal.userId,
      picture: imported.apiPicture ?? null,
      background: imported.apiBackground ?? null,
      deployedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    for (const [index, plan] of imported.plans.entries()) {
      const checked = checkPlanDefinition({
        ...(plan as unknown as JsonObject),
        id: newId(),
        apiId: id,
        order: plan.order ?? index + 1,
      });
      await repos.plans.create(toPlanRecord(checked, api, now));
    }
    return api;
  });
}

/**
 * The Gravitee v4 export of a stored API: the definition with its management fields, every plan (whatever its
 * status), the primary owner as a member, and the picture and background.
 */
export async function exportApi(
  store: ConfigStore,
  env: Environment,
  apiId: string,
): Promise<ApiExport & { export: { date: string } }> {
  const api = await findApi(store, env, apiId);
  const plans = await store.plans.search({ apiId });
  const owner = api.primaryOwnerId ? await store.users.findById(api.primaryOwnerId) : undefined;
  const primaryOwner = owner ? toPrimaryOwner(owner) : undefined;
  const definition = toApiV4(api, primaryOwner ? { primaryOwner } : {}) as unknown as ApiDefinition;
  const members: GraviteeMember[] = primaryOwner
    ? [{ id: primaryOwner.id, displayName: primaryOwner.displayName, roles: [{ name: 'PRIMARY_OWNER', scope: 'API' }] }]
    : [];
  const exported = exportDefinition({
    api: definition,
    plans: plans
      .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id))
      .map((plan) => toPlanV4(plan) as unknown as PlanDefinition),
    members,
    ...(api.picture ? { apiPicture: api.picture } : {}),
    ...(api.background ? { apiBackground: api.background } : {}),
  });
  return { export: { date: nowIso() }, ...exported };
}
