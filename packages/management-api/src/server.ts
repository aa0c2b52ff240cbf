import type { ConfigStore } from '@apim/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { apiKeyRoutes } from './api-keys/api-key-routes.js';
import { ApiKeyService } from './api-keys/api-key-service.js';
import { apiRoutes } from './apis/api-routes.js';
import { ApiService } from './apis/api-service.js';
import { importExportRoutes } from './apis/import-export-routes.js';
import { mediaRoutes } from './apis/media-routes.js';
import { applicationRoutes } from './applications/application-routes.js';
import { ApplicationService } from './applications/application-service.js';
import { deploymentRoutes } from './deployments/deployment-routes.js';
import { DeploymentService } from './deployments/deployment-service.js';
import { healthRoutes } from './health-routes.js';
import { installJsonParser } from './http/content-types.js';
import { installErrorHandler } from './http/error-handler.js';
import { ENVIRONMENT_PREFIX, type RouteContext, V1_ENVIRONMENT_PREFIX } from './http/route-context.js';
import { installValidation } from './http/validation.js';
import { planRoutes } from './plans/plan-routes.js';
import { PlanService } from './plans/plan-service.js';
import { defaultPolicyRegistry } from './plugins/flow-validation.js';
import { policyRoutes } from './plugins/policy-routes.js';
import { BasicAuthenticator, type BasicAuthenticatorOptions } from './security/basic-authenticator.js';
import type { PermissionChecker } from './security/permissions.js';
import { installSecurity } from './security/security-hook.js';
import { subscriptionRoutes } from './subscriptions/subscription-routes.js';
import { SubscriptionService } from './subscriptions/subscription-service.js';
import { resolveSubscriptionSettings, type SubscriptionSettings } from './subscriptions/subscription-settings.js';

/** Default port of the management API (Gravitee's). */
export const DEFAULT_MANAGEMENT_PORT = 8083;
/** Default request body limit: 10 MiB, room for exports that embed pictures and documentation. */
export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

export interface ManagementApiOptions {
  store: ConfigStore;
  /** A pino logger (or any fastify-compatible one); `true` logs at info to stdout; absent or `false` is silent. */
  logger?: FastifyBaseLogger | boolean;
  /** Largest accepted request body in bytes (413 beyond); default {@link DEFAULT_BODY_LIMIT}. */
  bodyLimit?: number;
  /** Who may do what; default: the ADMIN role may do everything. */
  permissionChecker?: PermissionChecker;
  /** Basic authentication settings (organization of the local users, verification cache). */
  authentication?: BasicAuthenticatorOptions;
  /** Custom and shared API keys, renewal grace period, end-of-subscription check. */
  subscriptions?: SubscriptionSettings;
}

function loggerOptions(logger: ManagementApiOptions['logger']) {
  if (logger && typeof logger === 'object') return { loggerInstance: logger };
  // Fastify's request serializer logs method, url, host and remote address: never headers or bodies.
  return { logger: logger === true ? { level: 'info', redact: ['req.headers.authorization'] } : false };
}

/**
 * Builds the management API (Fastify) on a configuration store, ready for `inject()` or `listen()`: Gravitee
 * Management API v2 routes under `/management/v2/environments/{envId}/apis`, HTTP Basic authentication with a
 * permission check on every route but `GET /management/health`, JSON Schema validation of every input and
 * Gravitee-style error bodies.
 *
 * @example
 * const app = await buildManagementApi({ store });
 * const res = await app.inject({ method: 'GET', url: '/management/v2/environments/DEFAULT/apis', headers });
 */
export async function buildManagementApi(options: ManagementApiOptions): Promise<FastifyInstance> {
  const { store } = options;
  const app = Fastify({
    ...loggerOptions(options.logger),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance;
  installJsonParser(app);
  app.removeContentTypeParser('text/plain');
  installValidation(app);
  installErrorHandler(app);
  installSecurity(app, new BasicAuthenticator(store, options.authentication), options.permissionChecker);

  const settings = resolveSubscriptionSettings(options.subscriptions);
  const subscriptions = new SubscriptionService(store, new ApiKeyService(settings));
  const ctx: RouteContext = {
    store,
    apis: new ApiService(store),
    plans: new PlanService(store, subscriptions),
    deployments: new DeploymentService(store),
    subscriptions,
    applications: new ApplicationService(store, subscriptions),
  };
  scheduleEndOfSubscriptions(app, subscriptions, settings.expiryCheckIntervalMs);
  await app.register(async (scope) => healthRoutes(scope, store));
  await app.register(
    async (scope) => {
      await apiRoutes(scope, ctx);
      await mediaRoutes(scope, ctx);
      await planRoutes(scope, ctx);
      await deploymentRoutes(scope, ctx);
      await subscriptionRoutes(scope, ctx);
      await apiKeyRoutes(scope, ctx);
    },
    { prefix: `${ENVIRONMENT_PREFIX}/apis` },
  );
  await app.register(async (scope) => applicationRoutes(scope, ctx), { prefix: V1_ENVIRONMENT_PREFIX });
  await app.register(async (scope) => importExportRoutes(scope, ctx), { prefix: `${ENVIRONMENT_PREFIX}/apis` });
  await app.register(async (scope) => policyRoutes(scope, defaultPolicyRegistry()));
  await app.ready();
  return app;
}

/**
 * Closes the subscriptions whose end date has passed every `intervalMs` (0: never), until the app closes. A failed
 * pass is logged and the next one retries.
 */
function scheduleEndOfSubscriptions(app: FastifyInstance, subscriptions: SubscriptionService, intervalMs: number) {
  if (intervalMs <= 0) return;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    subscriptions
      .closeEnded()
      .then((count) => {
        if (count > 0) app.log.info({ count }, 'closed ended subscriptions');
      })
      .catch((error: unknown) => app.log.warn({ err: error }, 'closing ended subscriptions failed'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}

export interface StartManagementApiOptions extends ManagementApiOptions {
  /** Default {@link DEFAULT_MANAGEMENT_PORT}; 0 picks a free port. */
  port?: number;
  /** Default `0.0.0.0`. */
  host?: string;
}

/** A listening management API. */
export interface RunningManagementApi {
  app: FastifyInstance;
  /** Base URL, e.g. `http://127.0.0.1:8083`. */
  url: string;
  port: number;
  /** Stops accepting connections and waits for in-flight requests. The store stays open (its owner closes it). */
  close(): Promise<void>;
}

/**
 * Builds the management API and listens.
 *
 * @example
 * const management = await startManagementApi({ store, port: 8083, host: '0.0.0.0', logger });
 * // ... later
 * await management.close();
 */
export async function startManagementApi(options: StartManagementApiOptions): Promise<RunningManagementApi> {
  const app = await buildManagementApi(options);
  const host = options.host ?? '0.0.0.0';
  await app.listen({ port: options.port ?? DEFAULT_MANAGEMENT_PORT, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_MANAGEMENT_PORT);
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { app, url: `http://${shownHost}:${port}`, port, close: () => app.close() };
}
