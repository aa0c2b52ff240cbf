/**
 * The policy catalogue (Gravitee's `/plugins/policies`): what the console lists and the JSON Schema it draws each
 * configuration form from.
 *
 * - `GET /management/v2/plugins/policies`: `[{ id, name, description, category, version, phases }]`, sorted by id
 * - `GET /management/v2/plugins/policies/:id`: one of them (404 when unknown)
 * - `GET /management/v2/plugins/policies/:id/schema`: its configuration JSON Schema
 */
import type { PolicyPlugin, PolicyRegistry } from '@apim/core';
import type { FastifyInstance } from 'fastify';
import { ManagementError } from '../http/errors.js';

/** What the catalogue says of a policy. */
export interface PolicySummary {
  id: string;
  name: string;
  description: string;
  category: string;
  version: string;
  phases: string[];
}

function summary(plugin: PolicyPlugin): PolicySummary {
  const { id, name, description, category, version, phases } = plugin;
  return { id, name, description, category, version, phases: [...phases] };
}

/** Registers the policy catalogue routes (authenticated like every management route). */
export async function policyRoutes(app: FastifyInstance, registry: PolicyRegistry): Promise<void> {
  const find = (id: string): PolicyPlugin => {
    const plugin = registry.get(id);
    if (plugin === undefined)
      throw new ManagementError('MANAGEMENT_NOT_FOUND', `Policy [${id}] cannot be found.`, 'policy.notFound', {
        policy: id,
      });
    return plugin;
  };
  app.get('/management/v2/plugins/policies', async () => registry.list().map(summary));
  app.get<{ Params: { id: string } }>('/management/v2/plugins/policies/:id', async (request) =>
    summary(find(request.params.id)),
  );
  app.get<{ Params: { id: string } }>('/management/v2/plugins/policies/:id/schema', async (request) =>
    JSON.parse(JSON.stringify(find(request.params.id).schema)),
  );
}
