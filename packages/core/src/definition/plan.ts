import { type Static, Type } from '@sinclair/typebox';
import { FlowSchema } from './flow.js';
import { FreeObject, StringEnum } from './schema-helpers.js';

export const PLAN_SECURITY_TYPES = ['KEY_LESS', 'API_KEY', 'JWT', 'OAUTH2', 'MTLS'] as const;
export const PlanSecurityTypeSchema = StringEnum(PLAN_SECURITY_TYPES);
export type PlanSecurityType = Static<typeof PlanSecurityTypeSchema>;

/** Gravitee v4 plugin ids of the plan security types, accepted on input and normalised to the uppercase form. */
export const PLAN_SECURITY_ALIASES: Readonly<Record<string, PlanSecurityType>> = {
  'key-less': 'KEY_LESS',
  keyless: 'KEY_LESS',
  'api-key': 'API_KEY',
  apikey: 'API_KEY',
  jwt: 'JWT',
  oauth2: 'OAUTH2',
  mtls: 'MTLS',
};

export const PlanSecuritySchema = Type.Object({
  type: PlanSecurityTypeSchema,
  /** The security plugin configuration (JWT keys, OAuth2 resource...). */
  configuration: Type.Optional(FreeObject()),
});
export type PlanSecurity = Static<typeof PlanSecuritySchema>;

/** A v4 plan as in the `plans` array of a Gravitee v4 export. Properties not declared here are accepted and kept. */
export const PlanDefinitionSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  crossId: Type.Optional(Type.String()),
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  apiId: Type.Optional(Type.String()),
  definitionVersion: Type.Literal('V4', { default: 'V4' }),
  /** Required for STANDARD plans; PUSH plans (subscriptions of message APIs) have none. */
  security: Type.Optional(PlanSecuritySchema),
  /** EL condition that selects this plan among several plans of the same security type (e.g. on JWT claims). */
  selectionRule: Type.Optional(Type.String()),
  mode: StringEnum(['STANDARD', 'PUSH'], { default: 'STANDARD' }),
  status: StringEnum(['STAGING', 'PUBLISHED', 'DEPRECATED', 'CLOSED'], { default: 'STAGING' }),
  validation: StringEnum(['AUTO', 'MANUAL'], { default: 'AUTO' }),
  commentRequired: Type.Optional(Type.Boolean()),
  commentMessage: Type.Optional(Type.String()),
  characteristics: Type.Optional(Type.Array(Type.String())),
  excludedGroups: Type.Optional(Type.Array(Type.String())),
  /** Id of the page holding the general conditions a subscriber must accept. */
  generalConditions: Type.Optional(Type.String()),
  order: Type.Optional(Type.Integer()),
  /** Sharding tags: the plan is deployed only on gateways with one of them. */
  tags: Type.Array(Type.String(), { default: [] }),
  type: Type.Optional(StringEnum(['API', 'CATALOG'])),
  flows: Type.Array(FlowSchema, { default: [] }),
  createdAt: Type.Optional(Type.String()),
  updatedAt: Type.Optional(Type.String()),
  publishedAt: Type.Optional(Type.String()),
  closedAt: Type.Optional(Type.String()),
});
export type PlanDefinition = Static<typeof PlanDefinitionSchema>;
