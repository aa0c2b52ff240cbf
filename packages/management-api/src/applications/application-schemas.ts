import { type Static, Type } from '@sinclair/typebox';

const Enum = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });

const ApiKeyMode = Enum(['SHARED', 'EXCLUSIVE', 'UNSPECIFIED'] as const);
const Picture = Type.String({
  pattern: '^data:image/[a-zA-Z0-9.+-]+;base64,[A-Za-z0-9+/=]*$',
  description: 'A data URL (data:image/png;base64,...).',
});

/** Gravitee's ApplicationSettings: `app` (SIMPLE applications) only; `oauth` (client registration) is refused. */
const Settings = Type.Object(
  {
    app: Type.Optional(
      Type.Object(
        {
          type: Type.Optional(Type.String({ maxLength: 255 })),
          client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        },
        { additionalProperties: false },
      ),
    ),
    oauth: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

const commonProperties = {
  name: Type.String({ minLength: 1, maxLength: 512 }),
  description: Type.Optional(Type.String({ maxLength: 4096 })),
  domain: Type.Optional(Type.String({ maxLength: 512 })),
  groups: Type.Optional(Type.Array(Type.String())),
  picture: Type.Optional(Picture),
  settings: Type.Optional(Settings),
  api_key_mode: Type.Optional(ApiKeyMode),
};

/** Body of `POST .../applications` (Gravitee v1 NewApplicationEntity). */
export const NewApplicationBody = Type.Object(
  { ...commonProperties, type: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
export type NewApplicationBody = Static<typeof NewApplicationBody>;

/** Body of `PUT .../applications/{application}` (Gravitee v1 UpdateApplicationEntity). */
export const UpdateApplicationBody = Type.Object(commonProperties, { additionalProperties: true });
export type UpdateApplicationBody = Static<typeof UpdateApplicationBody>;

export const V1EnvParams = Type.Object({ orgId: Type.String({ minLength: 1 }), envId: Type.String({ minLength: 1 }) });
export type V1EnvParams = Static<typeof V1EnvParams>;

export const ApplicationParams = Type.Object({ ...V1EnvParams.properties, appId: Type.String({ minLength: 1 }) });
export type ApplicationParams = Static<typeof ApplicationParams>;

/** Query of `GET .../applications` (and `/_paged`): Gravitee v1's `query`, `status`, `page`, `size`. */
export const ListApplicationsQuery = Type.Object({
  query: Type.Optional(Type.String()),
  status: Type.Optional(Enum(['ACTIVE', 'ARCHIVED'] as const)),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 10 })),
});
export type ListApplicationsQuery = Static<typeof ListApplicationsQuery>;

/** Query of `GET .../applications/{application}/subscriptions`. */
export const ApplicationSubscriptionsQuery = Type.Object({
  status: Type.Optional(Type.Array(Type.String())),
  api: Type.Optional(Type.String()),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 20 })),
});
export type ApplicationSubscriptionsQuery = Static<typeof ApplicationSubscriptionsQuery>;

/** Body of `POST .../applications/{application}/subscriptions` (v1 NewSubscriptionEntity; `plan` may be a query). */
export const NewSubscriptionBody = Type.Object(
  {
    plan: Type.Optional(Type.String({ minLength: 1 })),
    request: Type.Optional(Type.String({ maxLength: 4096 })),
    customApiKey: Type.Optional(Type.String()),
    configuration: Type.Optional(Type.Object({}, { additionalProperties: true })),
    metadata: Type.Optional(Type.Record(Type.String(), Type.String())),
    apiKeyMode: Type.Optional(ApiKeyMode),
  },
  { additionalProperties: true },
);
export type NewSubscriptionBody = Static<typeof NewSubscriptionBody>;

export const SubscribeQuery = Type.Object({ plan: Type.Optional(Type.String({ minLength: 1 })) });
export type SubscribeQuery = Static<typeof SubscribeQuery>;
