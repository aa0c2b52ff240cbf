import { type Static, type TOptional, type TSchema, Type } from '@sinclair/typebox';
import { PaginationQuery } from '../http/pagination.js';

/**
 * Request schemas of the API resources, after Gravitee's CreateApiV4 / UpdateApiV4. They check the shape of the
 * payload's top level; the definition inside (listeners, endpoint groups, flows...) is then checked by core's
 * `validateApiDefinition`, so each problem is reported once, by JSON pointer. Unknown properties are ignored.
 */
const StringList = (description: string) => Type.Array(Type.String(), { description });
const Visibility = Type.Unsafe<'PUBLIC' | 'PRIVATE'>({ type: 'string', enum: ['PUBLIC', 'PRIVATE'] });
const LifecycleState = Type.Unsafe<'CREATED' | 'PUBLISHED' | 'UNPUBLISHED' | 'DEPRECATED' | 'ARCHIVED'>({
  type: 'string',
  enum: ['CREATED', 'PUBLISHED', 'UNPUBLISHED', 'DEPRECATED', 'ARCHIVED'],
});
const ApiType = Type.Unsafe<'PROXY' | 'MESSAGE'>({
  type: 'string',
  enum: ['PROXY', 'MESSAGE'],
  description: 'PROXY (HTTP, WebSocket, gRPC, TCP) or MESSAGE; the other Gravitee types are not supported.',
});
const DefinitionVersion = Type.Unsafe<'V4'>({
  type: 'string',
  enum: ['V4'],
  description: 'Only V4 APIs are created through this endpoint (import a V2 definition to convert it).',
});
const Anything = Type.Unknown();

/** The definition part shared by create and update. */
const definitionProperties = {
  type: ApiType,
  tags: Type.Array(Type.String(), { uniqueItems: true, description: 'Sharding tags.' }),
  listeners: Type.Array(Anything, { minItems: 1 }),
  endpointGroups: Type.Array(Anything, { minItems: 1 }),
  analytics: Type.Object({}, { additionalProperties: true }),
  failover: Type.Object({}, { additionalProperties: true }),
  flowExecution: Type.Object({}, { additionalProperties: true }),
  flows: Type.Array(Anything),
  properties: Type.Array(Anything),
  resources: Type.Array(Anything),
  responseTemplates: Type.Object({}, { additionalProperties: true }),
  services: Type.Object({}, { additionalProperties: true }),
  allowedInApiProducts: Type.Boolean(),
  allowMultiJwtOauth2Subscriptions: Type.Boolean(),
  disableMembershipNotifications: Type.Boolean(),
};

const managementProperties = {
  name: Type.String({ minLength: 1 }),
  apiVersion: Type.String({ minLength: 1 }),
  description: Type.String(),
  definitionVersion: DefinitionVersion,
  visibility: Visibility,
  groups: StringList('Group ids.'),
  labels: StringList('Free labels.'),
  categories: StringList('Category keys or ids.'),
};

function partial<T extends Record<string, TSchema>>(props: T) {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof T]: TOptional<T[K]>;
  };
}

/** Body of `POST /environments/{envId}/apis` (CreateApiV4). */
export const CreateApiV4Body = Type.Object(
  {
    ...partial(definitionProperties),
    ...partial(managementProperties),
    name: managementProperties.name,
    apiVersion: managementProperties.apiVersion,
    definitionVersion: DefinitionVersion,
    type: ApiType,
    listeners: definitionProperties.listeners,
    endpointGroups: definitionProperties.endpointGroups,
  },
  { additionalProperties: true },
);
export type CreateApiV4Body = Static<typeof CreateApiV4Body>;

/** Body of `PUT /environments/{envId}/apis/{apiId}` (UpdateApiV4): replaces every editable field. */
export const UpdateApiV4Body = Type.Object(
  {
    ...CreateApiV4Body.properties,
    lifecycleState: Type.Optional(LifecycleState),
  },
  { additionalProperties: true },
);
export type UpdateApiV4Body = Static<typeof UpdateApiV4Body>;

export const EnvParams = Type.Object({ envId: Type.String({ minLength: 1 }) });
export type EnvParams = Static<typeof EnvParams>;

export const ApiParams = Type.Object({ envId: Type.String({ minLength: 1 }), apiId: Type.String({ minLength: 1 }) });
export type ApiParams = Static<typeof ApiParams>;

/** Query of `GET /environments/{envId}/apis`. */
export const ListApisQuery = Type.Object({
  ...PaginationQuery,
  q: Type.Optional(Type.String({ description: 'Case-insensitive match on name or description.' })),
  query: Type.Optional(Type.String({ description: 'Alias of q.' })),
  expands: Type.Optional(Type.Array(Type.String({ enum: ['deploymentState', 'primaryOwner'] }))),
});
export type ListApisQuery = Static<typeof ListApisQuery>;

/** Body of `POST /environments/{envId}/apis/{apiId}/deployments` (ApiDeployment). */
export const ApiDeploymentBody = Type.Object({
  deploymentLabel: Type.Optional(Type.String({ maxLength: 32 })),
});
export type ApiDeploymentBody = Static<typeof ApiDeploymentBody>;
