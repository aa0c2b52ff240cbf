import { type Static, Type } from '@sinclair/typebox';
import { FreeObject, StringEnum } from './schema-helpers.js';

/** A context path of an HTTP listener; `host` restricts it to a virtual host. */
export const ListenerPathSchema = Type.Object({
  host: Type.Optional(Type.String()),
  path: Type.String(),
  /** With a host: the portal shows this host/path instead of the default entrypoint. */
  overrideAccess: Type.Optional(Type.Boolean()),
});
export type ListenerPath = Static<typeof ListenerPathSchema>;

export const CorsSchema = Type.Object({
  enabled: Type.Boolean({ default: false }),
  allowOrigin: Type.Optional(Type.Array(Type.String())),
  allowHeaders: Type.Optional(Type.Array(Type.String())),
  allowMethods: Type.Optional(Type.Array(Type.String())),
  exposeHeaders: Type.Optional(Type.Array(Type.String())),
  allowCredentials: Type.Optional(Type.Boolean()),
  maxAge: Type.Optional(Type.Integer()),
  runPolicies: Type.Optional(Type.Boolean()),
});
export type Cors = Static<typeof CorsSchema>;

export const QosSchema = StringEnum(['NONE', 'AUTO', 'AT_MOST_ONCE', 'AT_LEAST_ONCE']);
export type Qos = Static<typeof QosSchema>;

/** An entrypoint plugin of a listener: `http-proxy`, `tcp-proxy`, `http-get`, `http-post`, `sse`, `websocket`, `webhook`... */
export const EntrypointSchema = Type.Object({
  type: Type.String({ minLength: 1 }),
  qos: Type.Optional(QosSchema),
  /** Dead letter queue: the endpoint (group) that receives messages that could not be delivered. */
  dlq: Type.Optional(Type.Object({ endpoint: Type.Optional(Type.String()) })),
  configuration: Type.Optional(FreeObject()),
});
export type Entrypoint = Static<typeof EntrypointSchema>;

export const ListenerTypeSchema = StringEnum(['HTTP', 'TCP', 'SUBSCRIPTION']);
export type ListenerType = Static<typeof ListenerTypeSchema>;

/**
 * How clients reach the API. HTTP listeners are matched by host and longest context path, TCP listeners by SNI host,
 * SUBSCRIPTION listeners push messages (webhook).
 */
export const ListenerSchema = Type.Object({
  type: ListenerTypeSchema,
  /** HTTP: context paths (unique across the API). */
  paths: Type.Optional(Type.Array(ListenerPathSchema)),
  /** TCP: SNI host names. */
  hosts: Type.Optional(Type.Array(Type.String())),
  /** HTTP: path patterns (`/products/:id`) analytics group requests by. */
  pathMappings: Type.Optional(Type.Array(Type.String())),
  cors: Type.Optional(CorsSchema),
  entrypoints: Type.Array(EntrypointSchema),
  /**
   * HTTP, from a v2 definition only: v2 `proxy.strip_context_path: true`, kept so the setting is not lost. Not a
   * Gravitee v4 field: v4 always forwards the path that follows the context path to the endpoint target.
   */
  stripContextPath: Type.Optional(Type.Boolean()),
  /** Ids of the gateway servers this listener binds to (all when absent). */
  servers: Type.Optional(Type.Array(Type.String())),
});
export type Listener = Static<typeof ListenerSchema>;
