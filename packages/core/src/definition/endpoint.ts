import { type Static, Type } from '@sinclair/typebox';
import { FreeObject, StringEnum } from './schema-helpers.js';

/** An HTTP header to add to every upstream request. */
export const HttpHeaderSchema = Type.Object({ name: Type.String(), value: Type.String() });
export type HttpHeader = Static<typeof HttpHeaderSchema>;

/**
 * HTTP client options of an `http-proxy` endpoint group (`sharedConfiguration.http`). Absent fields take the
 * gateway defaults in {@link HTTP_CLIENT_DEFAULTS}.
 */
export const HttpClientOptionsSchema = Type.Object({
  version: Type.Optional(StringEnum(['HTTP_1_1', 'HTTP_2'])),
  keepAlive: Type.Optional(Type.Boolean()),
  keepAliveTimeout: Type.Optional(Type.Integer({ minimum: 0 })),
  connectTimeout: Type.Optional(Type.Integer({ minimum: 0 })),
  readTimeout: Type.Optional(Type.Integer({ minimum: 0 })),
  idleTimeout: Type.Optional(Type.Integer({ minimum: 0 })),
  followRedirects: Type.Optional(Type.Boolean()),
  useCompression: Type.Optional(Type.Boolean()),
  maxConcurrentConnections: Type.Optional(Type.Integer({ minimum: 1 })),
  pipelining: Type.Optional(Type.Boolean()),
  propagateClientAcceptEncoding: Type.Optional(Type.Boolean()),
  /** Send the client's Host header upstream (v2 `proxy.preserve_host`). */
  propagateClientHost: Type.Optional(Type.Boolean()),
  clearTextUpgrade: Type.Optional(Type.Boolean()),
});
export type HttpClientOptions = Static<typeof HttpClientOptionsSchema>;

/** Gateway defaults for {@link HttpClientOptions} (Gravitee's defaults). */
export const HTTP_CLIENT_DEFAULTS = {
  version: 'HTTP_1_1',
  keepAlive: true,
  keepAliveTimeout: 30_000,
  connectTimeout: 3_000,
  readTimeout: 10_000,
  idleTimeout: 60_000,
  followRedirects: false,
  useCompression: true,
  maxConcurrentConnections: 100,
  pipelining: false,
  propagateClientAcceptEncoding: false,
  propagateClientHost: false,
  clearTextUpgrade: true,
} as const satisfies Required<HttpClientOptions>;

/** A trust store or key store: `type` is `PEM`, `JKS`, `PKCS12` or `` (none); the rest depends on the type. */
export const StoreSchema = Type.Object({
  type: Type.Optional(Type.String()),
  path: Type.Optional(Type.String()),
  content: Type.Optional(Type.String()),
  password: Type.Optional(Type.String()),
  alias: Type.Optional(Type.String()),
  keyPassword: Type.Optional(Type.String()),
  certPath: Type.Optional(Type.String()),
  certContent: Type.Optional(Type.String()),
  keyPath: Type.Optional(Type.String()),
  keyContent: Type.Optional(Type.String()),
});
export type Store = Static<typeof StoreSchema>;

export const SslOptionsSchema = Type.Object({
  trustAll: Type.Optional(Type.Boolean()),
  hostnameVerifier: Type.Optional(Type.Boolean()),
  trustStore: Type.Optional(StoreSchema),
  keyStore: Type.Optional(StoreSchema),
});
export type SslOptions = Static<typeof SslOptionsSchema>;

export const ProxyOptionsSchema = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  useSystemProxy: Type.Optional(Type.Boolean()),
  host: Type.Optional(Type.String()),
  port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  username: Type.Optional(Type.String()),
  password: Type.Optional(Type.String()),
  type: Type.Optional(StringEnum(['HTTP', 'SOCKS4', 'SOCKS5'])),
});
export type ProxyOptions = Static<typeof ProxyOptionsSchema>;

/**
 * The configuration shared by the endpoints of a group. For `http-proxy` groups: `http`, `ssl`, `proxy`, `headers`;
 * other endpoint plugins (mqtt5, kafka, rabbitmq, tcp-proxy...) add their own keys, which are kept as they are.
 */
export const SharedConfigurationSchema = Type.Object({
  http: Type.Optional(HttpClientOptionsSchema),
  ssl: Type.Optional(SslOptionsSchema),
  proxy: Type.Optional(ProxyOptionsSchema),
  headers: Type.Optional(Type.Array(HttpHeaderSchema)),
});
export type SharedConfiguration = Static<typeof SharedConfigurationSchema>;

/** The active health check of an endpoint group or endpoint (`http-health-check`). */
export const HealthCheckServiceSchema = Type.Object({
  enabled: Type.Boolean({ default: false }),
  type: Type.String({ default: 'http-health-check' }),
  /** On an endpoint: use this configuration instead of the group's. */
  overrideConfiguration: Type.Optional(Type.Boolean()),
  configuration: Type.Optional(
    Type.Object({
      /** Cron expression with seconds (`*\/1 * * * * *`). */
      schedule: Type.Optional(Type.String()),
      method: Type.Optional(Type.String()),
      /** Path (appended to the endpoint target) or, with `overrideEndpointPath`, the full path/URL to call. */
      target: Type.Optional(Type.String()),
      headers: Type.Optional(Type.Array(HttpHeaderSchema)),
      overrideEndpointPath: Type.Optional(Type.Boolean()),
      /** EL assertion on the response, e.g. `{#response.status == 200}`. */
      assertion: Type.Optional(Type.String()),
      successThreshold: Type.Optional(Type.Integer({ minimum: 1 })),
      failureThreshold: Type.Optional(Type.Integer({ minimum: 1 })),
    }),
  ),
});
export type HealthCheckService = Static<typeof HealthCheckServiceSchema>;

/** A generic endpoint-group service (e.g. endpoint discovery: `consul-service-discovery`). */
export const GenericServiceSchema = Type.Object({
  enabled: Type.Boolean({ default: false }),
  type: Type.String(),
  overrideConfiguration: Type.Optional(Type.Boolean()),
  configuration: Type.Optional(FreeObject()),
});
export type GenericService = Static<typeof GenericServiceSchema>;

/** One upstream of an endpoint group. */
export const EndpointSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  /** Endpoint plugin id: `http-proxy`, `tcp-proxy`, `mock`, `mqtt5`, `rabbitmq`, `kafka`... */
  type: Type.String({ minLength: 1 }),
  weight: Type.Integer({ minimum: 1, default: 1 }),
  /** A secondary (backup) endpoint only receives traffic when no primary endpoint is available. */
  secondary: Type.Boolean({ default: false }),
  /** Use the group's sharedConfiguration; when false, `sharedConfigurationOverride` replaces it. */
  inheritConfiguration: Type.Boolean({ default: true }),
  /** Plugin configuration; `http-proxy`: `{ target: 'https://host/base' }`, `tcp-proxy`: `{ target: { host, port, secured } }`. */
  configuration: Type.Optional(FreeObject()),
  sharedConfigurationOverride: Type.Optional(SharedConfigurationSchema),
  services: Type.Optional(Type.Object({ healthCheck: Type.Optional(HealthCheckServiceSchema) })),
  tenants: Type.Optional(Type.Array(Type.String())),
});
export type Endpoint = Static<typeof EndpointSchema>;

export const LoadBalancerTypeSchema = StringEnum(['ROUND_ROBIN', 'RANDOM', 'WEIGHTED_ROUND_ROBIN', 'WEIGHTED_RANDOM']);
export type LoadBalancerType = Static<typeof LoadBalancerTypeSchema>;

/** A group of interchangeable endpoints of one plugin type, with a load balancer and shared configuration. */
export const EndpointGroupSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  type: Type.String({ minLength: 1 }),
  loadBalancer: Type.Object(
    {
      type: StringEnum(['ROUND_ROBIN', 'RANDOM', 'WEIGHTED_ROUND_ROBIN', 'WEIGHTED_RANDOM'], {
        default: 'ROUND_ROBIN',
      }),
    },
    { default: { type: 'ROUND_ROBIN' } },
  ),
  sharedConfiguration: Type.Optional(SharedConfigurationSchema),
  endpoints: Type.Array(EndpointSchema),
  services: Type.Optional(
    Type.Object({
      healthCheck: Type.Optional(HealthCheckServiceSchema),
      discovery: Type.Optional(GenericServiceSchema),
    }),
  ),
});
export type EndpointGroup = Static<typeof EndpointGroupSchema>;
