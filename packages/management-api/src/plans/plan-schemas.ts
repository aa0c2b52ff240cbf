import { type Static, Type } from '@sinclair/typebox';
import { PaginationQuery } from '../http/pagination.js';

/** The plan statuses of Gravitee's PlanStatus. */
export const PLAN_STATUSES = ['STAGING', 'PUBLISHED', 'DEPRECATED', 'CLOSED'] as const;
export type PlanStatusName = (typeof PLAN_STATUSES)[number];

const Enum = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });

/** The plan settings a publisher edits, shared by the create and update bodies. */
const PLAN_SETTINGS = {
  validation: Type.Optional(Enum(['AUTO', 'MANUAL'])),
  selectionRule: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  flows: Type.Optional(Type.Array(Type.Unknown())),
  characteristics: Type.Optional(Type.Array(Type.String())),
  excludedGroups: Type.Optional(Type.Array(Type.String())),
  commentRequired: Type.Optional(Type.Boolean()),
  commentMessage: Type.Optional(Type.String()),
  generalConditions: Type.Optional(Type.String()),
  order: Type.Optional(Type.Integer({ minimum: 0 })),
};

/**
 * Body of `POST /environments/{envId}/apis/{apiId}/plans` (CreatePlanV4). The top level is checked here; the plan
 * as a whole (security type, flows, PUSH vs STANDARD rules) by core's `validatePlanDefinition`.
 */
export const CreatePlanV4Body = Type.Object(
  {
    definitionVersion: Enum(['V4']),
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    crossId: Type.Optional(Type.String()),
    security: Type.Optional(
      Type.Object(
        {
          type: Type.String({ minLength: 1, description: 'KEY_LESS, API_KEY, JWT, OAUTH2 or MTLS.' }),
          configuration: Type.Optional(Type.Unknown()),
        },
        { additionalProperties: true },
      ),
    ),
    mode: Type.Optional(Enum(['STANDARD', 'PUSH'])),
    ...PLAN_SETTINGS,
  },
  { additionalProperties: true },
);
export type CreatePlanV4Body = Static<typeof CreatePlanV4Body>;

/**
 * Body of `PUT .../plans/{planId}` (UpdatePlanV4): the editable fields; `security` may only restate the type and
 * change the configuration.
 */
export const UpdatePlanV4Body = Type.Object(
  {
    definitionVersion: Enum(['V4']),
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    crossId: Type.Optional(Type.String()),
    security: Type.Optional(
      Type.Object(
        {
          type: Type.Optional(Type.String({ minLength: 1 })),
          configuration: Type.Optional(Type.Unknown()),
        },
        { additionalProperties: true },
      ),
    ),
    ...PLAN_SETTINGS,
  },
  { additionalProperties: true },
);
export type UpdatePlanV4Body = Static<typeof UpdatePlanV4Body>;

export const PlanParams = Type.Object({
  envId: Type.String({ minLength: 1 }),
  apiId: Type.String({ minLength: 1 }),
  planId: Type.String({ minLength: 1 }),
});
export type PlanParams = Static<typeof PlanParams>;

/** Query of `GET .../plans`: comma-separated `statuses` (default PUBLISHED) and `securities`, `mode`, pagination. */
export const ListPlansQuery = Type.Object({
  ...PaginationQuery,
  statuses: Type.Optional(Type.Array(Type.String())),
  securities: Type.Optional(Type.Array(Type.String())),
  mode: Type.Optional(Enum(['STANDARD', 'PUSH'])),
});
export type ListPlansQuery = Static<typeof ListPlansQuery>;
