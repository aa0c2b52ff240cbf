import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ApiDefinition, importDefinition, type JsonObject, newId, nowIso } from '@apim/core';
import { ensureDefaults, toStoredDefinition } from '@apim/management-api';
import { createConfigStore } from '@apim/repository-sql';
import { writeDeployedApi } from '@apim/testkit';
import { rewriteTargets } from '../scenarios.js';

/**
 * The context path of the i-th seeded API.
 *
 * @example scalePath(42) // '/api-00042'
 */
export function scalePath(index: number): string {
  return `/api-${String(index).padStart(5, '0')}`;
}

/** The passthrough v4 fixture, pointed at the local upstream, as a plain document. */
export function passthroughDocument(fixturesDir: string, upstreamUrl: string): JsonObject {
  const parsed = JSON.parse(readFileSync(join(fixturesDir, '0-passthrough-v4.json'), 'utf8')) as JsonObject;
  return rewriteTargets(parsed, upstreamUrl).definition;
}

/** The fixture document with its single listener path replaced (for the management API's import). */
export function withPath(document: JsonObject, path: string): JsonObject {
  const api = document.api as JsonObject;
  const listeners = (api.listeners as JsonObject[]).map((l) => ({ ...l, paths: [{ path }] }));
  return { ...document, api: { ...api, listeners } };
}

/**
 * Writes `count` started, deployed passthrough APIs (`/api-00000`...) straight into a SQLite store at `dbFile`, as
 * the management API would after import + deploy + start: an Api row (STARTED, environment DEFAULT), a Deployment
 * (revision 1, `{ api, plans }`) and a PUBLISH_API event each, in transactions of `batch` APIs. The DEFAULT
 * organization/environment and the admin are created with `ensureDefaults`. Returns the seconds it took.
 */
export async function seedScaleStore(options: {
  dbFile: string;
  count: number;
  document: JsonObject;
  adminPassword: string;
  batch?: number;
}): Promise<number> {
  const started = performance.now();
  const store = await createConfigStore({ url: `sqlite:${options.dbFile}` });
  try {
    await ensureDefaults(store, { adminPassword: options.adminPassword });
    const imported = importDefinition(options.document);
    const base = imported.api as unknown as JsonObject;
    const batch = options.batch ?? 1000;
    for (let from = 0; from < options.count; from += batch) {
      const now = nowIso();
      await store.transaction(async (repos) => {
        for (let i = from; i < Math.min(options.count, from + batch); i++) {
          const id = newId();
          const name = `Scale ${String(i).padStart(5, '0')}`;
          const api: JsonObject = { ...(withPath({ api: base }, scalePath(i)).api as JsonObject), id, name };
          const definition = toStoredDefinition(api as unknown as ApiDefinition);
          const plans = imported.plans.map((p) => ({ ...(p as unknown as JsonObject), id: newId(), apiId: id }));
          await writeDeployedApi(repos, {
            id,
            name,
            apiVersion: String(api.apiVersion),
            definition,
            snapshot: { api: { ...definition, tags: [] }, plans },
            now,
          });
        }
      });
    }
  } finally {
    await store.close();
  }
  return (performance.now() - started) / 1000;
}
