import { type Static, Type } from '@sinclair/typebox';

/** Configuration of `basic-authentication` (Gravitee field names). */
export const BasicAuthenticationSchema = Type.Object(
  {
    authenticationProviders: Type.Array(Type.String({ minLength: 1, title: 'Authentication provider' }), {
      minItems: 1,
      title: 'Authentication providers',
      description:
        'Names of the API resources (type auth-provider-inline-resource) that authenticate users, tried in order until one accepts the credentials.',
    }),
    realm: Type.String({
      title: 'Realm name',
      description: 'The realm shown to the client in the WWW-Authenticate header of a 401.',
      default: 'gravitee.io',
      pattern: '^[^"\\\\\\r\\n]*$',
    }),
  },
  { title: 'Basic authentication' },
);
export type BasicAuthenticationConfig = Static<typeof BasicAuthenticationSchema>;
