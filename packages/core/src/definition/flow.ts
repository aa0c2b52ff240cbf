import { type Static, Type } from '@sinclair/typebox';
import { DiscriminatedUnion, FreeObject, StringEnum } from './schema-helpers.js';

/** One policy invocation in a flow phase. */
export const StepSchema = Type.Object({
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  enabled: Type.Boolean({ default: true }),
  /** Policy plugin id, e.g. `rate-limit`, `json-to-json`, `mock`. */
  policy: Type.String({ minLength: 1 }),
  configuration: Type.Optional(FreeObject()),
  /** EL condition: the step runs only when it evaluates to true. */
  condition: Type.Optional(Type.String()),
  /** EL condition evaluated per message (message APIs). */
  messageCondition: Type.Optional(Type.String()),
});
export type Step = Static<typeof StepSchema>;

export const HttpMethodSchema = StringEnum([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
  'OTHER',
]);
export type HttpMethod = Static<typeof HttpMethodSchema>;

export const OperatorSchema = StringEnum(['STARTS_WITH', 'EQUALS']);
export type Operator = Static<typeof OperatorSchema>;

/** Matches requests by path (relative to the context path) and method; no methods means every method. */
export const HttpSelectorSchema = Type.Object({
  type: Type.Literal('HTTP'),
  path: Type.String({ default: '/' }),
  pathOperator: StringEnum(['STARTS_WITH', 'EQUALS'], { default: 'STARTS_WITH' }),
  methods: Type.Array(HttpMethodSchema, { default: [] }),
});
export type HttpSelector = Static<typeof HttpSelectorSchema>;

/** Matches when the EL condition evaluates to true. */
export const ConditionSelectorSchema = Type.Object({
  type: Type.Literal('CONDITION'),
  condition: Type.String(),
});
export type ConditionSelector = Static<typeof ConditionSelectorSchema>;

/** Message APIs: matches by channel (topic), operation and entrypoint. */
export const ChannelSelectorSchema = Type.Object({
  type: Type.Literal('CHANNEL'),
  channel: Type.String({ default: '/' }),
  channelOperator: StringEnum(['STARTS_WITH', 'EQUALS'], { default: 'STARTS_WITH' }),
  operations: Type.Array(StringEnum(['SUBSCRIBE', 'PUBLISH']), { default: [] }),
  entrypoints: Type.Array(Type.String(), { default: [] }),
});
export type ChannelSelector = Static<typeof ChannelSelectorSchema>;

export const SelectorSchema = DiscriminatedUnion([HttpSelectorSchema, ConditionSelectorSchema, ChannelSelectorSchema]);
export type Selector = Static<typeof SelectorSchema>;

/**
 * A flow: when all its selectors match, its steps run in the request / response phases (proxy APIs) or the
 * subscribe / publish phases (message APIs).
 */
export const FlowSchema = Type.Object({
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  enabled: Type.Boolean({ default: true }),
  selectors: Type.Array(SelectorSchema, { default: [] }),
  request: Type.Array(StepSchema, { default: [] }),
  response: Type.Array(StepSchema, { default: [] }),
  subscribe: Type.Array(StepSchema, { default: [] }),
  publish: Type.Array(StepSchema, { default: [] }),
  /** Sharding tags: the flow only runs on gateways with one of these tags (all when empty). */
  tags: Type.Array(Type.String(), { default: [] }),
});
export type Flow = Static<typeof FlowSchema>;

export const FlowExecutionSchema = Type.Object(
  {
    /** DEFAULT: every matching flow runs; BEST_MATCH: only the flow whose selectors match most precisely. */
    mode: StringEnum(['DEFAULT', 'BEST_MATCH'], { default: 'DEFAULT' }),
    /** Reject the request (404 GATEWAY_FLOW_NOT_FOUND) when no flow matches. */
    matchRequired: Type.Boolean({ default: false }),
  },
  { default: { mode: 'DEFAULT', matchRequired: false } },
);
export type FlowExecution = Static<typeof FlowExecutionSchema>;
