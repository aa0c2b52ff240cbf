import type { FastifyInstance } from 'fastify';
import { resolveEnvironment } from '../http/environments.js';
import { ManagementError } from '../http/errors.js';
import type { RouteContext } from '../http/route-context.js';
import { requires } from '../security/permissions.js';
import { ApiParams } from './api-schemas.js';

/** Decodes a `data:` URI (RFC 2397), the form pictures take in Gravitee exports. */
export function decodeDataUri(uri: string): { type: string; bytes: Buffer } | undefined {
  const match = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/s.exec(uri);
  if (!match) return undefined;
  const type = match[1] || 'text/plain';
  const bytes = match[3] ? Buffer.from(match[4]!, 'base64') : Buffer.from(decodeURIComponent(match[4]!), 'utf8');
  return { type, bytes };
}

/** `GET .../apis/{apiId}/picture` and `.../background`: the images an API carries (404 when it has none). */
export async function mediaRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  for (const kind of ['picture', 'background'] as const) {
    app.get<{ Params: ApiParams }>(
      `/:apiId/${kind}`,
      { schema: { params: ApiParams }, config: requires('API', 'API_DEFINITION', 'READ') },
      async (request, reply) => {
        const env = await resolveEnvironment(ctx.store, request.params.envId);
        const api = await ctx.apis.get(env, request.params.apiId);
        const image = api[kind] ? decodeDataUri(api[kind]) : undefined;
        if (!image) {
          throw new ManagementError('MANAGEMENT_NOT_FOUND', `Api [${api.id}] has no ${kind}.`, `api.${kind}.notFound`, {
            api: api.id,
          });
        }
        // Only images, and sandboxed: an uploaded SVG or a forged type cannot run script on this origin.
        return reply
          .type(image.type.startsWith('image/') ? image.type : 'application/octet-stream')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
          .header('cache-control', 'private, max-age=3600')
          .header('x-content-type-options', 'nosniff')
          .send(image.bytes);
      },
    );
  }
}
