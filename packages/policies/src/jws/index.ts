import { definePolicy } from '@apim/core';
import pemKey from './examples/pem-key.json' with { type: 'json' };
import { createJws } from './jws.js';
import { JwsSchema } from './schema.js';

/** `jws`: validates a JWS request body and forwards its payload. */
export const jwsPolicy = definePolicy({
  id: 'jws',
  version: '1.0.0',
  name: 'JWS validator',
  description:
    "Validates a request body that is a compact JWS (RFC 7515), as Gravitee's JWS validator: `typ` JOSE, JSON or JOSE+JSON (or none), `cty` json (or none), an `x5c` header whose first certificate holds the public key configured for the header's `kid` (`default` when none), a signature verifying with that key (RSA, RSA-PSS, ECDSA or EdDSA; never HMAC or none), `exp`/`nbf` when present, and with `checkCertificateValidity` the certificate's dates. The keys are configured in `publicKeys` (Gravitee reads them from the gateway settings `policy.jws.kid.<kid>`). On success the body becomes the JSON payload with Content-Type application/json; otherwise 401 JWS_INVALID. `checkCertificateRevocation` (CRL download per request) is refused at deploy time; the x5c chain beyond its first certificate is not verified (trust comes from the configured key).",
  category: 'security',
  phases: ['request'],
  needsBody: { request: true },
  schema: JwsSchema,
  examples: [pemKey],
  create: createJws,
});
