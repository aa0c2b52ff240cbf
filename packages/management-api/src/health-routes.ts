import type { ConfigStore } from '@apim/core';
import type { FastifyInstance } from 'fastify';

/**
 * `GET /management/health`, unauthenticated for probes: 200 `{ status: 'UP', store: { kind, status } }` when the
 * configuration store answers its ping, 503 with `status: 'DOWN'` otherwise (the cause is logged, not returned).
 */
export async function healthRoutes(app: FastifyInstance, store: ConfigStore): Promise<void> {
  app.get('/management/health', { config: { public: true } }, async (request, reply) => {
    try {
      await store.ping();
      return { status: 'UP', store: { kind: store.kind, status: 'UP' } };
    } catch (error) {
      request.log.warn({ err: error }, 'configuration store ping failed');
      return reply.code(503).send({ status: 'DOWN', store: { kind: store.kind, status: 'DOWN' } });
    }
  });
}
