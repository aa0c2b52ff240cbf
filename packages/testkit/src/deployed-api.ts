import { type JsonObject, newId, type Repositories } from '@apim/core';

/** What {@link writeDeployedApi} stores for one API. */
export interface DeployedApiRecord {
  id: string;
  environmentId?: string;
  name: string;
  apiVersion: string;
  /** The Api record's definition (the v4 definition without plans and management fields). */
  definition: JsonObject;
  /** The deployment snapshot, `{ api, plans }`. */
  snapshot: JsonObject;
  /** One instant for every date of the records (ISO string). */
  now: string;
}

/**
 * Writes a started API deployed once, the records a deployment leaves for gateways to sync: the Api row (STARTED),
 * revision 1 of its deployment and the PUBLISH_API event. For tests and benchmark set-ups that seed a store directly;
 * call it inside `store.transaction` to write many at once.
 *
 * @example await store.transaction((repos) => writeDeployedApi(repos, { id, name, apiVersion: '1', definition, snapshot, now }));
 */
export async function writeDeployedApi(repos: Repositories, api: DeployedApiRecord): Promise<void> {
  const { id, now } = api;
  const environmentId = api.environmentId ?? 'DEFAULT';
  await repos.apis.create({
    id,
    environmentId,
    name: api.name,
    apiVersion: api.apiVersion,
    type: 'PROXY',
    definitionVersion: 'V4',
    definition: api.definition,
    state: 'STARTED',
    lifecycleState: 'PUBLISHED',
    visibility: 'PUBLIC',
    labels: [],
    categories: [],
    groups: [],
    deployedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  const deploymentId = newId();
  await repos.deployments.create({
    id: deploymentId,
    apiId: id,
    environmentId,
    revision: 1,
    definition: api.snapshot,
    createdAt: now,
  });
  await repos.events.create({
    id: newId(),
    environmentId,
    type: 'PUBLISH_API',
    payload: { deploymentId },
    properties: { api_id: id },
    createdAt: now,
  });
}
