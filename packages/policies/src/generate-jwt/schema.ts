import { ElTemplate } from '@apim/core';
import { type Static, Type } from '@sinclair/typebox';

const Enum = <T extends string>(values: readonly T[], options: Record<string, unknown>) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });

/** Configuration of `generate-jwt` (Gravitee field names). */
export const GenerateJwtSchema = Type.Object(
  {
    signature: Enum(['RSA_RS256', 'HMAC_HS256', 'HMAC_HS384', 'HMAC_HS512'] as const, {
      title: 'Signature',
      description: 'RS256 (RSA key of 2048 bits or more) or HMAC with a secret of 256/384/512 bits or more.',
      default: 'RSA_RS256',
    }),
    keyResolver: Enum(['INLINE', 'PEM', 'JKS', 'PKCS12'] as const, {
      title: 'Key resolver',
      description:
        'INLINE: content holds the PEM private key or the secret. PEM is accepted when content holds the PEM itself; key files (PEM path, JKS, PKCS12) are refused at deploy time.',
      default: 'INLINE',
    }),
    content: Type.String({
      minLength: 1,
      title: 'Private key / secret key',
      description:
        'A PEM private key (PKCS#8 or PKCS#1), optionally followed by its certificate chain (for X5C), or the HMAC secret.',
      'x-ui': { widget: 'textarea' },
    }),
    secretBase64Encoded: Type.Boolean({
      title: 'Secret base64 encoded',
      description: 'The HMAC secret in content is base64.',
      default: false,
    }),
    kid: Type.Optional(Type.String({ title: 'Key ID', description: 'The kid of the JWT header.' })),
    x509CertificateChain: Enum(['NONE', 'X5C'] as const, {
      title: 'Certificate chain',
      description: 'X5C: put the certificates that follow the private key in content in the x5c header (RS256 only).',
      default: 'NONE',
    }),
    id: Type.Optional(ElTemplate({ title: 'JWT ID', description: 'The jti claim (EL); a random UUID when empty.' })),
    audiences: Type.Array(ElTemplate({ minLength: 1 }), {
      title: 'Audiences',
      description: 'The aud claim (EL each): a string for one audience, a list for several.',
      default: [],
    }),
    issuer: ElTemplate({ title: 'Issuer', description: 'The iss claim (EL).', default: 'urn://gravitee-api-gw' }),
    subject: Type.Optional(ElTemplate({ title: 'Subject', description: 'The sub claim (EL); omitted when empty.' })),
    expiresIn: Type.Integer({
      minimum: 0,
      title: 'Expires in',
      description: 'Lifespan of the JWT (exp claim); 0: no expiry.',
      default: 30,
    }),
    expiresInUnit: Enum(['SECONDS', 'MINUTES', 'HOURS', 'DAYS'] as const, {
      title: 'Expires in unit',
      description: 'The unit of expiresIn.',
      default: 'SECONDS',
    }),
    customClaims: Type.Array(
      Type.Object({
        name: Type.String({ minLength: 1, title: 'Name' }),
        value: ElTemplate({ title: 'Value', description: 'EL template; an expression block keeps its type.' }),
      }),
      { title: 'Custom claims', description: 'Extra claims, set after the standard ones.', default: [] },
    ),
    alias: Type.Optional(Type.String({ title: 'Key alias', description: 'JKS/PKCS12 only: not supported.' })),
    storepass: Type.Optional(Type.String({ title: 'Store password', description: 'JKS/PKCS12 only: not supported.' })),
    keypass: Type.Optional(Type.String({ title: 'Key password', description: 'JKS only: not supported.' })),
  },
  { title: 'Generate JWT' },
);
export type GenerateJwtConfig = Static<typeof GenerateJwtSchema>;
