/**
 * The verification of a JWT plan's tokens (Gravitee's `jwt` security configuration), built once per deployment:
 * the algorithm from `signature`, the key from `publicKeyResolver` — GIVEN_KEY (a PEM public key or certificate, a
 * JWK, or the HMAC secret), GATEWAY_KEYS (keys configured on the gateway, by issuer and `kid`) or JWKS_URL (fetched,
 * cached, fetched again on an unknown `kid` at most once per cool-down, through jose's remote key set) — and the
 * `exp`/`nbf` checks with a clock skew, plus `iss`/`aud` when configured.
 *
 * Verified tokens are remembered until they expire (bounded, least recently used first out), so a client reusing its
 * token pays the signature check once.
 */
import {
  type CryptoKey,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  importSPKI,
  importX509,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { ExpiringCache } from './expiring-cache.js';

/** A key the gateway holds for GATEWAY_KEYS plans (Gravitee's `policy.jwt.issuer.<issuer>.<kid>` settings). */
export interface GatewayJwtKey {
  /** The `iss` of the tokens it verifies; undefined: any issuer. */
  readonly issuer?: string | undefined;
  /** The `kid` of the tokens it verifies; undefined: any key id. */
  readonly kid?: string | undefined;
  /** A PEM public key or certificate, a JWK as JSON, or an HMAC secret. */
  readonly key: string;
}

/** The plan configuration fields this verifier reads (Gravitee's names, plus `issuer`, `audience`, `clockSkew`). */
export interface JwtPlanConfiguration {
  signature?: string;
  publicKeyResolver?: 'GIVEN_KEY' | 'GATEWAY_KEYS' | 'JWKS_URL';
  resolverParameter?: string;
  /** Milliseconds for the JWKS request (connection and answer). */
  requestTimeout?: number;
  connectTimeout?: number;
  /** Expected `iss` (one or several). */
  issuer?: string | string[];
  /** Expected `aud` (one or several). */
  audience?: string | string[];
  /** Seconds of clock difference tolerated on `exp` and `nbf` (default 60). */
  clockSkew?: number;
}

/** `RSA_RS256` (Gravitee's names) or `RS256` (JOSE's) -> the JOSE algorithm. */
const ALGORITHMS: Readonly<Record<string, string>> = {
  RSA_RS256: 'RS256',
  RSA_RS384: 'RS384',
  RSA_RS512: 'RS512',
  RSA_PS256: 'PS256',
  RSA_PS384: 'PS384',
  RSA_PS512: 'PS512',
  HMAC_HS256: 'HS256',
  HMAC_HS384: 'HS384',
  HMAC_HS512: 'HS512',
  ECDSA_ES256: 'ES256',
  ECDSA_ES384: 'ES384',
  ECDSA_ES512: 'ES512',
  EDDSA: 'EdDSA',
  EDDSA_ED25519: 'EdDSA',
};
const JOSE_ALGORITHMS = new Set(Object.values(ALGORITHMS));

/** The JOSE algorithm of a `signature` setting; throws on an unknown one. */
export function joseAlgorithm(signature = 'RSA_RS256'): string {
  const upper = signature.toUpperCase();
  const alg = ALGORITHMS[upper] ?? (JOSE_ALGORITHMS.has(signature) ? signature : upper === 'EDDSA' ? 'EdDSA' : '');
  if (alg === '') throw new Error(`unsupported JWT signature [${signature}]`);
  return alg;
}

type VerificationKey = CryptoKey | Uint8Array;

/** Imports a key given as text: PEM public key or certificate, JWK JSON, or (HMAC) the secret itself. */
async function importKey(text: string, alg: string): Promise<VerificationKey> {
  const trimmed = text.trim();
  if (alg.startsWith('HS')) return new TextEncoder().encode(text);
  if (trimmed.startsWith('-----BEGIN CERTIFICATE-----')) return importX509(trimmed, alg);
  if (trimmed.startsWith('-----BEGIN PUBLIC KEY-----')) return importSPKI(trimmed, alg);
  if (trimmed.startsWith('{')) return importJWK(JSON.parse(trimmed) as JWK, alg);
  throw new Error('the key is neither a PEM public key or certificate nor a JWK');
}

/** Why a token was refused (logged at debug level; the client only gets 401). */
export class JwtRejected extends Error {
  override readonly name = 'JwtRejected';
}

/** Verifies the tokens of one JWT plan. */
export class JwtVerifier {
  readonly algorithm: string;
  readonly #resolver: 'GIVEN_KEY' | 'GATEWAY_KEYS' | 'JWKS_URL';
  readonly #givenKey: Promise<VerificationKey> | undefined;
  readonly #jwks: JWTVerifyGetKey | undefined;
  readonly #gatewayKeys: readonly {
    issuer?: string | undefined;
    kid?: string | undefined;
    key: Promise<VerificationKey>;
  }[];
  readonly #options: {
    algorithms: string[];
    clockTolerance: number;
    issuer?: string | string[];
    audience?: string | string[];
  };
  readonly #remembered = new ExpiringCache<JWTPayload>(10_000);

  /**
   * Throws on an unusable configuration (unknown algorithm, missing key or URL). `jwksCooldownMs` is the shortest
   * time between two JWKS fetches (default 30 s): a token with an unknown `kid` triggers a fetch only after it.
   */
  constructor(
    configuration: JwtPlanConfiguration,
    gatewayKeys: readonly GatewayJwtKey[] = [],
    { jwksCooldownMs = 30_000 }: { jwksCooldownMs?: number } = {},
  ) {
    this.algorithm = joseAlgorithm(configuration.signature);
    this.#resolver = configuration.publicKeyResolver ?? 'GIVEN_KEY';
    this.#options = {
      algorithms: [this.algorithm],
      clockTolerance: configuration.clockSkew ?? 60,
      ...(configuration.issuer === undefined ? {} : { issuer: configuration.issuer }),
      ...(configuration.audience === undefined ? {} : { audience: configuration.audience }),
    };
    const parameter = configuration.resolverParameter ?? '';
    if (this.#resolver === 'GIVEN_KEY') {
      if (parameter === '') throw new Error('publicKeyResolver GIVEN_KEY needs resolverParameter (the key)');
      this.#givenKey = importKey(parameter, this.algorithm);
      this.#givenKey.catch(() => undefined);
    } else if (this.#resolver === 'JWKS_URL') {
      let url: URL;
      try {
        url = new URL(parameter);
      } catch {
        throw new Error(`publicKeyResolver JWKS_URL needs an absolute URL in resolverParameter, got [${parameter}]`);
      }
      this.#jwks = createRemoteJWKSet(url, {
        timeoutDuration: configuration.requestTimeout ?? 2_000,
        cooldownDuration: jwksCooldownMs,
        cacheMaxAge: 10 * 60_000,
      });
    }
    this.#gatewayKeys = gatewayKeys.map((entry) => {
      const key = importKey(entry.key, this.algorithm);
      key.catch(() => undefined);
      return { issuer: entry.issuer, kid: entry.kid, key };
    });
  }

  /**
   * Verifies a token's signature and dates; resolves to its claims, rejects with {@link JwtRejected} (or jose's error).
   *
   * @example const claims = await verifier.verify(token);
   */
  async verify(token: string, now = Date.now()): Promise<JWTPayload> {
    const remembered = this.#remembered.get(token, now);
    if (remembered !== undefined) return remembered;
    const key = await this.#keyFor(token);
    // The overloads of jwtVerify take a key or a key-set function, not their union.
    const { payload } =
      typeof key === 'function'
        ? await jwtVerify(token, key, this.#options)
        : await jwtVerify(token, key, this.#options);
    this.#remembered.set(token, payload, payload.exp === undefined ? now + 60_000 : payload.exp * 1000);
    return payload;
  }

  async #keyFor(token: string): Promise<VerificationKey | JWTVerifyGetKey> {
    switch (this.#resolver) {
      case 'GIVEN_KEY':
        return this.#givenKey!;
      case 'JWKS_URL':
        return this.#jwks!;
      case 'GATEWAY_KEYS': {
        const { kid } = decodeProtectedHeader(token);
        const { iss } = decodeJwt(token);
        const entry = this.#gatewayKeys.find(
          (candidate) =>
            (candidate.issuer === undefined || candidate.issuer === iss) &&
            (candidate.kid === undefined || candidate.kid === kid),
        );
        if (entry === undefined) throw new JwtRejected(`no gateway key for issuer [${iss}] and kid [${kid}]`);
        return entry.key;
      }
    }
  }
}

/**
 * The client id a token names, read without verifying it (to find the subscription before the signature is checked,
 * as Gravitee does): the configured claim, else `azp`, else a single `aud`, else `client_id`.
 */
export function clientIdOf(payload: JWTPayload, claim?: string): string | undefined {
  const pick = (value: unknown) =>
    typeof value === 'string'
      ? value
      : Array.isArray(value) && value.length === 1 && typeof value[0] === 'string'
        ? value[0]
        : undefined;
  if (claim !== undefined && claim !== '') return pick(payload[claim]);
  return pick(payload.azp) ?? pick(payload.aud) ?? pick(payload.client_id);
}

/** The claims of a token without verifying it; undefined when it is not a JWT. */
export function unverifiedClaims(token: string): JWTPayload | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}
