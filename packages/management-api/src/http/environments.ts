import type { ConfigStore, Environment } from '@apim/core';
import { environmentNotFound } from './errors.js';

/**
 * Finds the environment named in a path by id (`DEFAULT`, a UUID) or by one of its human-readable ids
 * (`default`, `prod`), the way Gravitee's `{envId}` parameter works.
 *
 * @throws ManagementError 404 `environment.notFound`
 */
export async function resolveEnvironment(store: ConfigStore, envIdOrHrid: string): Promise<Environment> {
  const byId = await store.environments.findById(envIdOrHrid);
  if (byId) return byId;
  const wanted = envIdOrHrid.toLowerCase();
  const all = await store.environments.findAll();
  const byHrid = all.find((env) => env.hrids.some((hrid) => hrid.toLowerCase() === wanted));
  if (!byHrid) throw environmentNotFound(envIdOrHrid);
  return byHrid;
}
