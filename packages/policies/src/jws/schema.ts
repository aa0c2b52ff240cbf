import { type Static, Type } from '@sinclair/typebox';

/** Configuration of `jws` (Gravitee field names, plus the keys Gravitee reads from the gateway settings). */
export const JwsSchema = Type.Object(
  {
    checkCertificateValidity: Type.Boolean({
      title: 'Check certificate validity',
      description: "The x5c certificate must be within its 'not before' and 'not after' dates.",
      default: false,
    }),
    checkCertificateRevocation: Type.Boolean({
      title: 'Check if the certificate is revoked',
      description:
        'Gravitee downloads the CRLs of the certificate per request; not supported here: true is refused at deploy time.',
      default: false,
    }),
    publicKeys: Type.Array(
      Type.Object({
        kid: Type.String({
          minLength: 1,
          title: 'Key ID',
          description: "The JWS header's kid this key verifies; 'default' for a JWS without kid.",
          default: 'default',
        }),
        publicKey: Type.String({
          minLength: 1,
          title: 'Public key',
          description: 'A PEM public key (SPKI or PKCS#1 RSA), a PEM certificate, or an OpenSSH ssh-rsa key.',
          'x-ui': { widget: 'textarea' },
        }),
      }),
      {
        title: 'Public keys',
        description:
          "The trusted signing keys by kid: Gravitee's gateway settings policy.jws.kid.<kid>. At least one is required.",
        default: [],
      },
    ),
  },
  { title: 'JWS validator' },
);
export type JwsConfig = Static<typeof JwsSchema>;
