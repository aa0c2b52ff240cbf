import { X509Certificate } from 'node:crypto';
import type { ExecutionContext, InterruptOptions, PolicyInstance } from '@apim/core';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { importPublicKeys, samePublicKey } from './public-keys.js';
import type { JwsConfig } from './schema.js';

/** The refusal of an invalid JWS (Gravitee answers 401 Unauthorized). */
export const JWS_INVALID: InterruptOptions = Object.freeze({
  status: 401,
  key: 'JWS_INVALID',
  message: 'Unauthorized',
});

/** Asymmetric algorithms only: a JWS signed with a shared secret or `none` is never accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Gravitee's accepted `typ` values, plus RFC 7515's `JOSE` for the compact serialization. */
const TYPES = new Set(['JOSE', 'JSON', 'JOSE+JSON']);

class InvalidJws extends Error {}

const fail = (reason: string): never => {
  throw new InvalidJws(reason);
};

function certificateOf(x5c: unknown): X509Certificate {
  if (!Array.isArray(x5c) || x5c.length === 0 || typeof x5c[0] !== 'string') return fail('the x5c header is missing');
  try {
    return new X509Certificate(Buffer.from(x5c[0], 'base64'));
  } catch {
    return fail('the x5c certificate cannot be read');
  }
}

/**
 * Builds the instance: keys imported once. Per request, as Gravitee's JWS validator: the body is a compact JWS
 * whose header has a `typ` of JOSE/JSON/JOSE+JSON (or none), a `cty` of json (or none), and an `x5c` chain whose
 * first certificate holds the public key configured for the header's `kid` (`default` without kid); the signature
 * verifies with that key; `exp`/`nbf` hold; with `checkCertificateValidity` the certificate is within its dates. The
 * body becomes the JSON payload (Content-Type application/json). Anything else is 401 JWS_INVALID.
 */
export function createJws(config: Readonly<JwsConfig>): PolicyInstance {
  if (config.checkCertificateRevocation)
    throw new Error(
      'checkCertificateRevocation is not supported (it downloads CRLs on every request); set it to false',
    );
  const keys = importPublicKeys(config.publicKeys);

  const validate = async (jws: string): Promise<Buffer> => {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(jws);
    } catch {
      return fail('the body is not a compact JWS');
    }
    const { typ, cty, kid } = header;
    if (typeof typ === 'string' && typ !== '' && !TYPES.has(typ.toUpperCase())) fail(`typ '${typ}' is not accepted`);
    if (typeof cty === 'string' && cty !== '' && cty.toLowerCase().replace(/^application\//, '') !== 'json')
      fail(`cty '${cty}' is not accepted`);
    const key = keys.get(typeof kid === 'string' && kid !== '' ? kid : 'default') ?? fail(`no key for kid '${kid}'`);
    const certificate = certificateOf(header.x5c);
    if (!samePublicKey(certificate.publicKey, key)) fail('the x5c certificate does not hold the configured key');
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(jws, key, { algorithms: ALGORITHMS }));
    } catch (error) {
      return fail(`the signature does not verify (${(error as Error).message})`);
    }
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      return fail('the payload is not JSON');
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      fail('the payload is not a JSON object');
    const now = Date.now() / 1000;
    const { exp, nbf } = claims as { exp?: unknown; nbf?: unknown };
    if (typeof exp === 'number' && now >= exp) fail('the JWS has expired');
    if (typeof nbf === 'number' && now < nbf) fail('the JWS is not valid yet');
    if (config.checkCertificateValidity) {
      const nowMs = Date.now();
      if (nowMs < Date.parse(certificate.validFrom) || nowMs > Date.parse(certificate.validTo))
        fail('the x5c certificate is outside its validity dates');
    }
    return Buffer.from(payload);
  };

  return {
    async onRequest(exec: ExecutionContext): Promise<void> {
      const body = (await exec.request.body()).toString('utf8').trim();
      try {
        const payload = await validate(body);
        exec.request.setBody(payload);
        exec.request.headers.set('Content-Type', 'application/json');
      } catch (error) {
        if (!(error instanceof InvalidJws)) throw error;
        exec.logger.debug({ reason: error.message }, 'jws: invalid JWS');
        exec.interrupt(JWS_INVALID);
      }
    },
  };
}
