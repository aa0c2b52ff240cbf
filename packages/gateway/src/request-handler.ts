/**
 * The request path of the gateway: check the limits, resolve dot segments in the path, route by host and context path, resolve the plan, run the
 * API's flows when it has some (`execution/`), pick an endpoint, proxy. Everything it consults was compiled at deploy time; per request it only looks things up.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ApiRegistry } from './api-registry.js';
import type { ApiRuntime } from './api-runtime.js';
import { Exchange, type ExchangeContext } from './exchange.js';
import { executeFlows } from './execution/flow-execution.js';
import { failure } from './gateway-error.js';
import type { PlanResolution } from './plan-resolver.js';
import { proxyRequest } from './proxy.js';
import { normalizeRequestTarget } from './request-path.js';
import { resolveServerSettings, type ServerSettings } from './server-options.js';

/** A Node request listener; `expectContinue` is true when called for an `Expect: 100-continue` request. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, expectContinue?: boolean) => void;

const kOverloaded = Symbol('apim.overloaded');
const NO_HEADERS: string[] = [];

/** Marks a client connection opened beyond `maxConnections`: its request is answered 503 and it is closed. */
export function markOverloaded(socket: object): void {
  (socket as { [kOverloaded]?: boolean })[kOverloaded] = true;
}

/**
 * Creates the request listener serving the APIs of a registry, with resolved server settings.
 *
 * @example http.createServer(createRequestHandler(registry, logger, resolveServerSettings({ observer })));
 */
export function createRequestHandler(
  registry: ApiRegistry,
  logger: Logger,
  settings: ServerSettings = resolveServerSettings(),
): RequestHandler {
  const context: ExchangeContext = { settings, logger };
  const { maxUriLength, maxRequestBodySize } = settings;
  return function handleRequest(req, res, expectContinue = false) {
    const exchange = new Exchange(req, res, context);
    exchange.expectContinue = expectContinue;
    try {
      if ((req.socket as { [kOverloaded]?: boolean })[kOverloaded] === true) {
        exchange.fail(failure('GATEWAY_TOO_MANY_CONNECTIONS'), true);
        return;
      }
      const target = req.url ?? '/';
      // RFC 9112 §3: a server answers 414 to a request target longer than it is willing to parse.
      if (target.length > maxUriLength) {
        exchange.fail(failure('GATEWAY_REQUEST_URI_TOO_LONG'), true);
        return;
      }
      // Dot segments are resolved before routing, so that no path reaches another API or climbs out of a base path.
      const url = normalizeRequestTarget(target);
      if (url === undefined) {
        exchange.fail(failure('GATEWAY_BAD_REQUEST'));
        return;
      }
      if (url !== target) req.url = url;
      // HTTP/2 carries the host in `:authority` (RFC 9113 §8.3.1); a Host header, when sent, must agree with it.
      const route = registry.match(req.headers.host ?? (req.headers[':authority'] as string | undefined), url);
      if (route === undefined) {
        exchange.notFound();
        return;
      }
      const api = route.value;
      exchange.api = api;
      exchange.prefixLength = route.prefixLength;
      if (api.cors !== undefined) {
        // A preflight carries no credentials: the gateway answers it before any plan is resolved.
        if (api.cors.isPreflight(req)) {
          exchange.answerPreflight(api.cors);
          return;
        }
        // The gateway owns CORS for this API: the upstream's own `access-control-*` headers never reach the client.
        exchange.corsHeaders = api.cors.responseHeaders(req.headers.origin) ?? NO_HEADERS;
      }
      if (maxRequestBodySize > 0) {
        const declared = req.headers['content-length'];
        if (declared !== undefined && Number(declared) > maxRequestBodySize) {
          // RFC 9110 §15.5.14: the body is not read, so the connection closes after the answer.
          exchange.fail(failure('GATEWAY_REQUEST_BODY_TOO_LARGE'), true);
          return;
        }
      }
      const security = api.resolveSecurity(req);
      if (security instanceof Promise) {
        // A token signature to check first: the runtime stays open meanwhile, even if it is redeployed.
        exchange.hold();
        security.then(
          (resolution) => {
            if (!res.headersSent && !res.destroyed) serve(exchange, api, resolution);
          },
          (error: unknown) => internalError(exchange, logger, error),
        );
        return;
      }
      serve(exchange, api, security);
    } catch (error) {
      internalError(exchange, logger, error);
    }
  };
}

function internalError(exchange: Exchange, logger: Logger, error: unknown): void {
  logger.error({ err: error, method: exchange.req.method }, 'request handling failed');
  if (exchange.res.headersSent) exchange.res.destroy();
  else exchange.fail(failure('GATEWAY_INTERNAL_ERROR', error));
}

/** The rest of the request path once the plan is resolved: refuse, run the flows, or proxy. */
function serve(exchange: Exchange, api: ApiRuntime, security: PlanResolution): void {
  try {
    const plan = security.plan;
    if (plan === undefined) {
      exchange.fail(failure(security.failureKey ?? 'GATEWAY_PLAN_UNRESOLVABLE'));
      return;
    }
    exchange.planId = plan.id;
    if (security.subscription !== undefined) exchange.authorized(security);
    if (api.flows !== undefined) {
      executeFlows(exchange, api, api.flows, plan.id);
      return;
    }
    const endpoint = api.endpointGroup?.select();
    if (endpoint === undefined) {
      exchange.fail(failure('GATEWAY_NO_ENDPOINT_AVAILABLE'));
      return;
    }
    if (exchange.expectContinue) {
      exchange.res.writeContinue();
      exchange.expectContinue = false;
    }
    proxyRequest(exchange, endpoint);
  } catch (error) {
    internalError(exchange, exchange.context.logger, error);
  }
}
