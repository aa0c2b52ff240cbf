import type {
  Analytics,
  Endpoint,
  EndpointGroup,
  Failover,
  HealthCheckService,
  HttpClientOptions,
  HttpHeader,
  Listener,
  Logging,
  SharedConfiguration,
} from '../definition/index.js';
import { asArray, bool, compact, int, isRecord, type JsonRecord, pick, records, str } from './json-utils.js';

/** v4 `sharedConfiguration.http` field names; v2-only options (maxHeaderSize, maxChunkSize) have no v4 equivalent. */
const HTTP_OPTION_KEYS = [
  'version',
  'keepAlive',
  'keepAliveTimeout',
  'connectTimeout',
  'readTimeout',
  'idleTimeout',
  'followRedirects',
  'useCompression',
  'maxConcurrentConnections',
  'pipelining',
  'propagateClientAcceptEncoding',
  'clearTextUpgrade',
] as const;

function httpOptions(v2: unknown, preserveHost: boolean): HttpClientOptions | undefined {
  const out: JsonRecord = {};
  if (isRecord(v2))
    for (const key of HTTP_OPTION_KEYS) if (v2[key] !== undefined && v2[key] !== null) out[key] = v2[key];
  if (preserveHost) out.propagateClientHost = true;
  return Object.keys(out).length === 0 ? undefined : (out as HttpClientOptions);
}

const store = (v: unknown) => (isRecord(v) ? compact({ ...v }) : undefined);

function sslOptions(v2: unknown): SharedConfiguration['ssl'] {
  if (!isRecord(v2)) return undefined;
  return compact({
    trustAll: bool(v2.trustAll),
    hostnameVerifier: bool(v2.hostnameVerifier),
    trustStore: store(v2.trustStore),
    keyStore: store(v2.keyStore),
  });
}

/** v2 headers are `[{ name, value }]` or, in older definitions, `{ name: value }`. */
function headers(v2: unknown): HttpHeader[] | undefined {
  if (Array.isArray(v2)) {
    const list = records(v2).map((h) => ({ name: str(h.name) ?? '', value: str(h.value) ?? '' }));
    return list.length === 0 ? undefined : list;
  }
  if (isRecord(v2)) {
    const list = Object.entries(v2).map(([name, value]) => ({ name, value: str(value) ?? '' }));
    return list.length === 0 ? undefined : list;
  }
  return undefined;
}

function sharedConfiguration(source: JsonRecord, preserveHost: boolean): SharedConfiguration | undefined {
  const shared = compact({
    http: httpOptions(pick(source, 'http', 'httpClientOptions'), preserveHost),
    ssl: sslOptions(pick(source, 'ssl', 'httpClientSslOptions')),
    proxy: isRecord(pick(source, 'proxy', 'httpProxy'))
      ? compact({ ...(pick(source, 'proxy', 'httpProxy') as JsonRecord) })
      : undefined,
    headers: headers(source.headers),
  }) as SharedConfiguration;
  return Object.keys(shared).length === 0 ? undefined : shared;
}

/** `{#a}` stays as it is; `#a` and `#b` become `{(#a) && (#b)}`. */
function assertionTemplate(assertions: unknown): string | undefined {
  const list = asArray(assertions).filter((a): a is string => typeof a === 'string' && a.trim() !== '');
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0]!.trim().startsWith('{') ? list[0] : `{${list[0]}}`;
  return `{${list.map((a) => `(${a.replace(/^\{(.*)\}$/s, '$1')})`).join(' && ')}}`;
}

/** The cron schedule of an old (`interval` + `unit`) v2 health check. */
function scheduleOf(hc: JsonRecord): string | undefined {
  const schedule = str(hc.schedule);
  if (schedule !== undefined) return schedule;
  const interval = int(hc.interval);
  if (interval === undefined) return undefined;
  const unit = String(hc.unit ?? 'SECONDS').toUpperCase();
  if (unit === 'MINUTES') return `0 */${interval} * * * *`;
  if (unit === 'HOURS') return `0 0 */${interval} * * *`;
  return `*/${interval} * * * * *`;
}

/** Converts a v2 health check (`{ enabled, schedule, steps: [{ request, response: { assertions } }] }`). */
export function healthCheck(v2: unknown, override = false): HealthCheckService | undefined {
  if (!isRecord(v2)) return undefined;
  const step = records(v2.steps)[0] ?? {};
  const request = isRecord(step.request) ? step.request : isRecord(v2.request) ? v2.request : {};
  const response = isRecord(step.response) ? step.response : isRecord(v2.expectation) ? v2.expectation : {};
  const configuration = compact({
    schedule: scheduleOf(v2),
    method: str(request.method),
    target: str(pick(request, 'path', 'uri')),
    headers: headers(request.headers),
    overrideEndpointPath: bool(request.fromRoot),
    assertion: assertionTemplate(response.assertions),
  });
  return compact({
    enabled: bool(v2.enabled) ?? true,
    type: 'http-health-check',
    overrideConfiguration: override ? true : undefined,
    configuration,
  }) as HealthCheckService;
}

function endpoint(v2: JsonRecord, index: number, preserveHost: boolean): Endpoint {
  const inherit = bool(v2.inherit) ?? true;
  const endpointHc = pick(v2, 'healthcheck', 'healthCheck');
  let hc: HealthCheckService | undefined;
  if (isRecord(endpointHc) && endpointHc.inherit === false) hc = healthCheck(endpointHc, true);
  else if (isRecord(endpointHc) && endpointHc.enabled === false) hc = { enabled: false, type: 'http-health-check' };
  const override = inherit ? undefined : sharedConfiguration(v2, preserveHost);
  return compact({
    name: str(v2.name) ?? `endpoint-${index + 1}`,
    type: 'http-proxy',
    weight: int(v2.weight) ?? 1,
    secondary: bool(v2.backup) ?? false,
    inheritConfiguration: inherit,
    configuration: { target: str(v2.target) ?? '' },
    sharedConfigurationOverride: override,
    services: hc === undefined ? undefined : { healthCheck: hc },
    tenants: Array.isArray(v2.tenants) && v2.tenants.length > 0 ? v2.tenants.map(String) : undefined,
  }) as Endpoint;
}

/**
 * Converts v2 `proxy.groups` (or the 1.x `proxy.endpoints`) to http-proxy endpoint groups. `preserve_host` becomes
 * `sharedConfiguration.http.propagateClientHost`; an API-level health check goes on every group.
 */
export function endpointGroups(proxy: JsonRecord, apiServices: unknown): EndpointGroup[] {
  const preserveHost = bool(pick(proxy, 'preserve_host', 'preserveHost')) === true;
  const apiHc = isRecord(apiServices) ? pick(apiServices, 'health-check', 'healthCheck') : undefined;
  const groups = Array.isArray(proxy.groups)
    ? records(proxy.groups)
    : [{ name: 'default-group', endpoints: proxy.endpoints, load_balancing: proxy.load_balancing }];
  return groups.map((group, i) => {
    const lb = pick(group, 'load_balancing', 'loadBalancer');
    const services = isRecord(group.services) ? group.services : {};
    const discovery = isRecord(services.discovery) ? services.discovery : undefined;
    const groupHc = healthCheck(pick(services, 'health-check', 'healthCheck') ?? apiHc);
    const groupServices = compact({
      healthCheck: groupHc,
      discovery: discovery
        ? compact({
            enabled: bool(discovery.enabled) ?? false,
            type: str(pick(discovery, 'provider', 'type')) ?? '',
            configuration: isRecord(discovery.configuration) ? discovery.configuration : undefined,
          })
        : undefined,
    });
    return compact({
      name: str(group.name) ?? (i === 0 ? 'default-group' : `group-${i + 1}`),
      type: 'http-proxy',
      loadBalancer: { type: (isRecord(lb) ? str(lb.type) : undefined) ?? 'ROUND_ROBIN' },
      sharedConfiguration: sharedConfiguration(group, preserveHost),
      endpoints: records(group.endpoints).map((e, j) => endpoint(e, j, preserveHost)),
      services: Object.keys(groupServices).length === 0 ? undefined : groupServices,
    }) as EndpointGroup;
  });
}

/**
 * Converts `proxy.virtual_hosts` (or 1.x `proxy.context_path`) to one HTTP listener with an `http-proxy`
 * entrypoint. `strip_context_path: true` is kept as `stripContextPath` on the listener (the v4 model always forwards
 * the path after the context path, so only `true` is worth keeping).
 */
export function httpListener(proxy: JsonRecord, pathMappings: unknown, cors: unknown): Listener {
  const hosts = records(pick(proxy, 'virtual_hosts', 'virtualHosts'));
  const contextPath = str(pick(proxy, 'context_path', 'contextPath'));
  const paths =
    hosts.length > 0
      ? hosts.map((vh) =>
          compact({
            host: str(vh.host) || undefined,
            path: str(vh.path) ?? '/',
            overrideAccess: bool(pick(vh, 'override_entrypoint', 'overrideEntrypoint')),
          }),
        )
      : contextPath !== undefined
        ? [{ path: contextPath }]
        : [];
  const mappings = asArray(pathMappings).map(String);
  const strip = bool(pick(proxy, 'strip_context_path', 'stripContextPath')) === true;
  return compact({
    type: 'HTTP',
    paths,
    pathMappings: mappings.length > 0 ? mappings : undefined,
    cors: isRecord(cors) ? compact({ ...cors }) : undefined,
    entrypoints: [{ type: 'http-proxy' }],
    stripContextPath: strip ? true : undefined,
  }) as Listener;
}

const LOG_MODE: Record<string, { entrypoint: boolean; endpoint: boolean }> = {
  CLIENT: { entrypoint: true, endpoint: false },
  PROXY: { entrypoint: false, endpoint: true },
  CLIENT_PROXY: { entrypoint: true, endpoint: true },
};

/** Converts v2 `proxy.logging` ({ mode, scope, content, condition }) to v4 analytics (always enabled for v2 APIs). */
export function analytics(logging: unknown): Analytics {
  if (!isRecord(logging)) return { enabled: true };
  const mode = LOG_MODE[String(logging.mode ?? 'NONE').toUpperCase()];
  if (mode === undefined) return { enabled: true };
  const scope = String(logging.scope ?? 'REQUEST_RESPONSE').toUpperCase();
  const content = String(logging.content ?? 'HEADERS_PAYLOADS').toUpperCase();
  const result: Logging = compact({
    mode,
    phase: { request: scope.includes('REQUEST'), response: scope.includes('RESPONSE') },
    content: {
      headers: content.includes('HEADERS'),
      payload: content.includes('PAYLOADS'),
      messageHeaders: false,
      messagePayload: false,
      messageMetadata: false,
    },
    condition: str(logging.condition) || undefined,
  }) as Logging;
  return { enabled: true, logging: result };
}

/** Converts v2 `proxy.failover` ({ maxAttempts, retryTimeout, cases }) to v4 failover. */
export function failover(v2: unknown): Failover | undefined {
  if (!isRecord(v2)) return undefined;
  return compact({
    enabled: true,
    maxRetries: int(v2.maxAttempts),
    slowCallDuration: int(v2.retryTimeout),
  }) as Failover;
}
