import { definePolicy } from '@apim/core';
import behindProxy from './examples/behind-proxy.json' with { type: 'json' };
import mutualTls from './examples/mutual-tls.json' with { type: 'json' };
import { SslEnforcementSchema } from './schema.js';
import { createSslEnforcement } from './ssl-enforcement.js';

/** `ssl-enforcement`: requires TLS and, optionally, an allowed client certificate. */
export const sslEnforcementPolicy = definePolicy({
  id: 'ssl-enforcement',
  version: '1.0.0',
  name: 'SSL enforcement',
  description:
    "Requires a TLS connection (403 SSL_ENFORCEMENT_SSL_REQUIRED) and optionally a client certificate: from the TLS session (trusted by the listener's CA) or, behind a TLS-terminating proxy, from a header holding a URL-encoded PEM (401 SSL_ENFORCEMENT_AUTHENTICATION_REQUIRED when missing or unreadable). With a whitelist of subject DNs (values with Ant wildcards, attributes in any order, case-insensitive), any other subject is 403 SSL_ENFORCEMENT_CLIENT_FORBIDDEN. Unlike Gravitee, requiresClientAuthentication is also enforced over cleartext when requiresSsl is false.",
  category: 'security',
  phases: ['request'],
  schema: SslEnforcementSchema,
  examples: [mutualTls, behindProxy],
  create: createSslEnforcement,
});
