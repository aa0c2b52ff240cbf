import { type Static, Type } from '@sinclair/typebox';

/** Configuration of `ssl-enforcement` (Gravitee field names). */
export const SslEnforcementSchema = Type.Object(
  {
    requiresSsl: Type.Boolean({
      title: 'Requires SSL',
      description:
        'The connection to the gateway must be TLS (403 SSL_ENFORCEMENT_SSL_REQUIRED). Behind a TLS-terminating proxy talking cleartext to the gateway, set it to false.',
      default: true,
    }),
    requiresClientAuthentication: Type.Boolean({
      title: 'Requires client authentication',
      description:
        'The client must present a certificate the listener trusts (mTLS), or the proxy must pass one in the header (401 SSL_ENFORCEMENT_AUTHENTICATION_REQUIRED).',
      default: false,
    }),
    whitelistClientCertificates: Type.Array(
      Type.String({
        minLength: 1,
        title: 'Distinguished name',
        description: 'A subject DN whose values may use Ant wildcards: CN=localhost,O=GraviteeSource*,C=??',
      }),
      {
        title: 'Allowed client certificates',
        description:
          'With client authentication, the subject must match one of these DNs (403 SSL_ENFORCEMENT_CLIENT_FORBIDDEN): same attributes in any order, values compared case-insensitively with * and ? wildcards.',
        default: [],
      },
    ),
    certificateLocation: Type.Unsafe<'SESSION' | 'HEADER'>({
      type: 'string',
      enum: ['SESSION', 'HEADER'],
      title: 'Certificate location',
      description:
        "SESSION: the certificate of the client's TLS connection. HEADER: a URL-encoded PEM certificate set by a TLS-terminating proxy in front (nginx $ssl_client_escaped_cert); the proxy must verify it and strip the header from client requests.",
      default: 'SESSION',
    }),
    certificateHeaderName: Type.String({
      minLength: 1,
      title: 'Header name',
      description: 'The header holding the client certificate, with certificateLocation HEADER.',
      default: 'ssl-client-cert',
    }),
  },
  { title: 'SSL enforcement' },
);
export type SslEnforcementConfig = Static<typeof SslEnforcementSchema>;
