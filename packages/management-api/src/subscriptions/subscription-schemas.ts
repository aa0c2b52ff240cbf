import { type Static, Type } from '@sinclair/typebox';
import { PaginationQuery } from '../http/pagination.js';

const Enum = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });

/** Gravitee's SubscriptionStatus (RESUMED is accepted in filters and matches nothing). */
export const SUBSCRIPTION_STATUSES = ['PENDING', 'REJECTED', 'ACCEPTED', 'CLOSED', 'PAUSED', 'RESUMED'] as const;
export const API_KEY_MODES = ['SHARED', 'EXCLUSIVE', 'UNSPECIFIED'] as const;
export const SUBSCRIPTION_EXPANDS = ['api', 'application', 'plan', 'subscribedBy'] as const;

const DateTime = Type.String({ minLength: 1, description: 'ISO-8601 date-time.' });
const CustomApiKey = Type.String({ description: '8 to 64 characters among A-Z a-z 0-9 _ - .' });
const Metadata = Type.Record(Type.String(), Type.String());
const ConsumerConfiguration = Type.Object(
  {
    entrypointId: Type.String({ minLength: 1 }),
    channel: Type.Optional(Type.String()),
    entrypointConfiguration: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

export const SubscriptionParams = Type.Object({
  envId: Type.String({ minLength: 1 }),
  apiId: Type.String({ minLength: 1 }),
  subscriptionId: Type.String({ minLength: 1 }),
});
export type SubscriptionParams = Static<typeof SubscriptionParams>;

export const ApiKeyParams = Type.Object({
  ...SubscriptionParams.properties,
  apiKeyId: Type.String({ minLength: 1 }),
});
export type ApiKeyParams = Static<typeof ApiKeyParams>;

/** Query of `GET .../subscriptions`: comma-separated lists (`explode: false` in the OpenAPI document). */
export const ListSubscriptionsQuery = Type.Object({
  ...PaginationQuery,
  applicationIds: Type.Optional(Type.Array(Type.String())),
  planIds: Type.Optional(Type.Array(Type.String())),
  statuses: Type.Optional(Type.Array(Type.String())),
  apiKey: Type.Optional(Type.String()),
  expands: Type.Optional(Type.Array(Type.String())),
});
export type ListSubscriptionsQuery = Static<typeof ListSubscriptionsQuery>;

export const ExpandsQuery = Type.Object({ expands: Type.Optional(Type.Array(Type.String())) });
export type ExpandsQuery = Static<typeof ExpandsQuery>;

/** Body of `POST .../subscriptions` (CreateSubscription, plus the consumer's message). */
export const CreateSubscriptionBody = Type.Object(
  {
    applicationId: Type.String({ minLength: 1 }),
    planId: Type.String({ minLength: 1 }),
    consumerMessage: Type.Optional(Type.String({ maxLength: 4096 })),
    customApiKey: Type.Optional(CustomApiKey),
    consumerConfiguration: Type.Optional(ConsumerConfiguration),
    metadata: Type.Optional(Metadata),
    apiKeyMode: Type.Optional(Enum(API_KEY_MODES)),
  },
  { additionalProperties: true },
);
export type CreateSubscriptionBody = Static<typeof CreateSubscriptionBody>;

/** Body of `PUT .../subscriptions/{id}` (UpdateSubscription). */
export const UpdateSubscriptionBody = Type.Object(
  {
    consumerConfiguration: Type.Optional(ConsumerConfiguration),
    metadata: Type.Optional(Metadata),
    startingAt: Type.Optional(DateTime),
    endingAt: Type.Optional(DateTime),
  },
  { additionalProperties: true },
);
export type UpdateSubscriptionBody = Static<typeof UpdateSubscriptionBody>;

/** Body of `_accept` (AcceptSubscription). */
export const AcceptSubscriptionBody = Type.Object(
  {
    reason: Type.Optional(Type.String({ maxLength: 4096 })),
    customApiKey: Type.Optional(CustomApiKey),
    startingAt: Type.Optional(DateTime),
    endingAt: Type.Optional(DateTime),
  },
  { additionalProperties: true },
);
export type AcceptSubscriptionBody = Static<typeof AcceptSubscriptionBody>;

/** Body of `_reject` (RejectSubscription). */
export const RejectSubscriptionBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 4096 })) },
  { additionalProperties: true },
);
export type RejectSubscriptionBody = Static<typeof RejectSubscriptionBody>;

/** Body of `_transfer` (TransferSubscription). */
export const TransferSubscriptionBody = Type.Object(
  { planId: Type.String({ minLength: 1 }) },
  { additionalProperties: true },
);
export type TransferSubscriptionBody = Static<typeof TransferSubscriptionBody>;

/** Body of `api-keys/_renew` (RenewApiKey). */
export const RenewApiKeyBody = Type.Object(
  { customApiKey: Type.Optional(CustomApiKey) },
  { additionalProperties: true },
);
export type RenewApiKeyBody = Static<typeof RenewApiKeyBody>;

/** Body of `PUT .../api-keys/{id}` (UpdateApiKey): absent `expireAt` means no expiry. */
export const UpdateApiKeyBody = Type.Object({ expireAt: Type.Optional(DateTime) }, { additionalProperties: true });
export type UpdateApiKeyBody = Static<typeof UpdateApiKeyBody>;
