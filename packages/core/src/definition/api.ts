import { type Static, Type } from '@sinclair/typebox';
import { EndpointGroupSchema } from './endpoint.js';
import { FlowExecutionSchema, FlowSchema } from './flow.js';
import { ListenerSchema } from './listener.js';
import { FreeObject, StringEnum } from './schema-helpers.js';

export const LoggingSchema = Type.Object({
  mode: Type.Optional(
    Type.Object({ entrypoint: Type.Optional(Type.Boolean()), endpoint: Type.Optional(Type.Boolean()) }),
  ),
  phase: Type.Optional(
    Type.Object({ request: Type.Optional(Type.Boolean()), response: Type.Optional(Type.Boolean()) }),
  ),
  content: Type.Optional(
    Type.Object({
      headers: Type.Optional(Type.Boolean()),
      payload: Type.Optional(Type.Boolean()),
      messageHeaders: Type.Optional(Type.Boolean()),
      messagePayload: Type.Optional(Type.Boolean()),
      messageMetadata: Type.Optional(Type.Boolean()),
    }),
  ),
  /** EL condition: log only the requests for which it is true. */
  condition: Type.Optional(Type.String()),
  messageCondition: Type.Optional(Type.String()),
});
export type Logging = Static<typeof LoggingSchema>;

export const AnalyticsSchema = Type.Object({
  enabled: Type.Boolean({ default: true }),
  logging: Type.Optional(LoggingSchema),
  /** Message APIs: which messages are reported. */
  sampling: Type.Optional(
    Type.Object({ type: StringEnum(['PROBABILITY', 'TEMPORAL', 'COUNT']), value: Type.Optional(Type.String()) }),
  ),
  tracing: Type.Optional(
    Type.Object({ enabled: Type.Optional(Type.Boolean()), verbose: Type.Optional(Type.Boolean()) }),
  ),
});
export type Analytics = Static<typeof AnalyticsSchema>;

/** An API property, readable in EL as `{#api.properties['key']}`. */
export const PropertySchema = Type.Object({
  key: Type.String({ minLength: 1 }),
  value: Type.String(),
  /** The value is stored encrypted (and exported encrypted). */
  encrypted: Type.Boolean({ default: false }),
  /** Set by the dynamic-properties service rather than by a user. */
  dynamic: Type.Boolean({ default: false }),
});
export type Property = Static<typeof PropertySchema>;

/** A resource (cache, OAuth2 server, LDAP...) that policies refer to by name. */
export const ResourceSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  type: Type.String({ minLength: 1 }),
  configuration: Type.Optional(FreeObject()),
  enabled: Type.Boolean({ default: true }),
});
export type Resource = Static<typeof ResourceSchema>;

/** Circuit breaker and retries on the endpoint call. */
export const FailoverSchema = Type.Object({
  enabled: Type.Boolean({ default: false }),
  maxRetries: Type.Optional(Type.Integer({ minimum: 0 })),
  /** A call slower than this (ms) counts as a failure. */
  slowCallDuration: Type.Optional(Type.Integer({ minimum: 0 })),
  /** How long the circuit stays open (ms). */
  openStateDuration: Type.Optional(Type.Integer({ minimum: 0 })),
  maxFailures: Type.Optional(Type.Integer({ minimum: 1 })),
  perSubscription: Type.Optional(Type.Boolean()),
});
export type Failover = Static<typeof FailoverSchema>;

export const ResponseTemplateSchema = Type.Object({
  status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  body: Type.Optional(Type.String()),
  propagateErrorKeyToLogs: Type.Optional(Type.Boolean()),
});
export type ResponseTemplate = Static<typeof ResponseTemplateSchema>;

/** error key (`DEFAULT`, `API_KEY_MISSING`...) -> accepted media type (`*\/*`, `application/json`) -> template. */
export const ResponseTemplatesSchema = Type.Record(Type.String(), Type.Record(Type.String(), ResponseTemplateSchema));
export type ResponseTemplates = Static<typeof ResponseTemplatesSchema>;

export const ApiTypeSchema = StringEnum(['PROXY', 'MESSAGE']);
export type ApiType = Static<typeof ApiTypeSchema>;

export const PrimaryOwnerSchema = Type.Object({
  id: Type.Optional(Type.String()),
  displayName: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
});

/**
 * The v4 API definition (Gravitee `definitionVersion: V4`) with the management metadata Gravitee exports next to it.
 * Properties not declared here are accepted and kept.
 */
export const ApiDefinitionSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  crossId: Type.Optional(Type.String()),
  hrid: Type.Optional(Type.String()),
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  apiVersion: Type.String({ minLength: 1 }),
  definitionVersion: Type.Literal('V4', { default: 'V4' }),
  type: ApiTypeSchema,
  /** Sharding tags: only gateways with one of these tags deploy the API (all gateways when empty). */
  tags: Type.Array(Type.String(), { default: [] }),
  listeners: Type.Array(ListenerSchema),
  endpointGroups: Type.Array(EndpointGroupSchema),
  flows: Type.Array(FlowSchema, { default: [] }),
  flowExecution: FlowExecutionSchema,
  analytics: Type.Optional(AnalyticsSchema),
  properties: Type.Array(PropertySchema, { default: [] }),
  resources: Type.Array(ResourceSchema, { default: [] }),
  failover: Type.Optional(FailoverSchema),
  responseTemplates: Type.Optional(ResponseTemplatesSchema),
  // Management metadata.
  state: Type.Optional(StringEnum(['INITIALIZED', 'STARTED', 'STOPPING', 'STOPPED', 'CLOSED'])),
  visibility: Type.Optional(StringEnum(['PUBLIC', 'PRIVATE'])),
  lifecycleState: Type.Optional(StringEnum(['CREATED', 'PUBLISHED', 'UNPUBLISHED', 'DEPRECATED', 'ARCHIVED'])),
  workflowState: Type.Optional(Type.String()),
  categories: Type.Optional(Type.Array(Type.String())),
  labels: Type.Optional(Type.Array(Type.String())),
  groups: Type.Optional(Type.Array(Type.String())),
  primaryOwner: Type.Optional(PrimaryOwnerSchema),
  environmentId: Type.Optional(Type.String()),
  deployedAt: Type.Optional(Type.String()),
  createdAt: Type.Optional(Type.String()),
  updatedAt: Type.Optional(Type.String()),
  disableMembershipNotifications: Type.Optional(Type.Boolean()),
  /** Where the API is managed from: MANAGEMENT (console/API), KUBERNETES (operator), INTEGRATION. */
  originContext: Type.Optional(
    Type.Object({
      origin: Type.Optional(StringEnum(['MANAGEMENT', 'KUBERNETES', 'INTEGRATION'])),
      mode: Type.Optional(Type.String()),
      syncFrom: Type.Optional(Type.String()),
    }),
  ),
});
export type ApiDefinition = Static<typeof ApiDefinitionSchema>;
