import { definePolicy } from '@apim/core';
import { createBasicAuthentication } from './basic-authentication.js';
import inlineProvider from './examples/inline-provider.json' with { type: 'json' };
import { BasicAuthenticationSchema } from './schema.js';

/** `basic-authentication`: HTTP Basic authentication against the API's inline user resources. */
export const basicAuthenticationPolicy = definePolicy({
  id: 'basic-authentication',
  version: '1.0.0',
  name: 'Basic authentication',
  description:
    "Checks HTTP Basic credentials (RFC 7617) against the API resources named in `authenticationProviders` (type `auth-provider-inline-resource`: `users: [{ username, password, roles }]`), tried in order. Passwords are scrypt hashes in the management API's format (`$scrypt$ln=15,r=8,p=1$salt$hash`) or plain text (a warning is logged at deploy time); bcrypt hashes are refused at deploy time. Comparisons are constant-time; successful scrypt verifications are cached for 60 s (at most 1000 entries, keyed by an HMAC of user and password). On success the `gravitee.attribute.user` attribute (`#context.attributes['user']`) holds the user name and `gravitee.attribute.user.roles` the roles; the Authorization header is forwarded. Missing or wrong credentials: 401 BASIC_AUTHENTICATION_UNAUTHORIZED with `WWW-Authenticate: Basic realm=\"<realm>\"`.",
  category: 'security',
  phases: ['request'],
  schema: BasicAuthenticationSchema,
  examples: [inlineProvider],
  create: createBasicAuthentication,
});
