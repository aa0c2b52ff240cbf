import { definePolicy } from '@apim/core';
import hmac from './examples/hmac.json' with { type: 'json' };
import { createGenerateJwt } from './generate-jwt.js';
import { GenerateJwtSchema } from './schema.js';

/** `generate-jwt`: signs a JWT per request into the `jwt.generated` attribute. */
export const generateJwtPolicy = definePolicy({
  id: 'generate-jwt',
  version: '1.0.0',
  name: 'Generate JWT',
  description:
    "Generates and signs a JWT per request, as Gravitee's generate-jwt policy, and puts it in the `jwt.generated` attribute (`{#context.attributes['jwt.generated']}`, e.g. for a transform-headers step). Claims: iat, jti (EL, a UUID by default), aud, sub, iss (EL), exp from expiresIn/expiresInUnit, and custom claims (EL, typed). RS256 with an inline PEM RSA private key (optionally with its certificate chain as x5c) or HS256/384/512 with a secret; the key is imported once at deploy time. Key files (PEM path, JKS, PKCS12) are refused at deploy time. An evaluation error is 500 GENERATE_JWT_FAILED.",
  category: 'security',
  phases: ['request'],
  schema: GenerateJwtSchema,
  examples: [hmac],
  create: createGenerateJwt,
});
