import type { FastifyInstance } from 'fastify';
import { acceptYamlBodies } from '../http/content-types.js';
import { resolveEnvironment } from '../http/environments.js';
import { ManagementError } from '../http/errors.js';
import { apiUrl, principalOf, type RouteContext } from '../http/route-context.js';
import { requires } from '../security/permissions.js';
import { presenter } from './api-presenter.js';
import { ApiParams, EnvParams } from './api-schemas.js';
import { exportApi, importApi } from './import-export.js';

function attachmentName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'api';
  return `${safe}-definition.json`;
}

/**
 * `POST /environments/{envId}/apis/_import/definition` (JSON, or YAML with `Content-Type: application/x-yaml`,
 * `application/yaml` or `text/yaml`) and `GET /environments/{envId}/apis/{apiId}/_export/definition`.
 */
export async function importExportRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  // YAML is accepted by the import route only: the parser is registered in this encapsulated context.
  acceptYamlBodies(app);

  app.post<{ Params: EnvParams; Body: unknown }>(
    '/_import/definition',
    { schema: { params: EnvParams }, config: requires('ENVIRONMENT', 'ENVIRONMENT_API', 'CREATE') },
    async (request, reply) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      if (request.body === undefined || request.body === '') {
        throw new ManagementError('MANAGEMENT_BAD_REQUEST', 'The request has no API definition to import.');
      }
      const api = await importApi(ctx.store, env, request.body, principalOf(request));
      const body = await presenter(ctx, request, request.params.envId)(api, true);
      return reply
        .code(201)
        .header('location', apiUrl(request, request.params.envId, api.id))
        .send(body);
    },
  );

  app.get<{ Params: ApiParams }>(
    '/:apiId/_export/definition',
    { schema: { params: ApiParams }, config: requires('API', 'API_DEFINITION', 'READ') },
    async (request, reply) => {
      const env = await resolveEnvironment(ctx.store, request.params.envId);
      const exported = await exportApi(ctx.store, env, request.params.apiId);
      return reply
        .header('content-disposition', `attachment; filename="${attachmentName(exported.api.name)}"`)
        .send(exported);
    },
  );
}
