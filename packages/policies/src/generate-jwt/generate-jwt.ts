import { ElMultiValueMap, type ExecutionContext, type PolicyFactoryContext, type PolicyInstance } from '@apim/core';
import { type JWTPayload, SignJWT } from 'jose';
import { evaluateText, evaluateValue, type TemplateValue, templateValue } from '../common/el-values.js';
import type { GenerateJwtConfig } from './schema.js';
import { importSigningKey } from './signing-key.js';

/** Gravitee's attribute holding the generated token (`#context.attributes['jwt.generated']`). */
export const ATTR_JWT_GENERATED = 'jwt.generated';
/** The error key when the token cannot be generated (an EL error...). */
export const GENERATE_JWT_FAILED = 'GENERATE_JWT_FAILED';

const UNIT_SECONDS = { SECONDS: 1, MINUTES: 60, HOURS: 3600, DAYS: 86_400 } as const;

/** An EL value as JSON: maps (attributes) and multi-value maps (headers, parameters) become objects. */
function toJson(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof ElMultiValueMap) return Object.fromEntries(value.entries().map(([k, v]) => [k, [...v]]));
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJson(v)]));
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'bigint') return Number(value);
  return value;
}

const optional = (source: string | undefined) =>
  source === undefined || source === '' ? undefined : templateValue(source);

const text = (value: TemplateValue | undefined, exec: ExecutionContext) =>
  value === undefined ? '' : (evaluateText(value, exec) ?? '');

/**
 * Builds the instance: key imported and templates compiled once. Per request, as Gravitee: iat now, jti (EL, a UUID
 * when empty), aud (one string or a list), sub and iss when not empty, exp when expiresIn > 0, then the custom
 * claims (typed EL values); the signed token goes to the `jwt.generated` attribute. An evaluation error is 500
 * GENERATE_JWT_FAILED.
 */
export function createGenerateJwt(config: Readonly<GenerateJwtConfig>, ctx: PolicyFactoryContext): PolicyInstance {
  const signing = importSigningKey(config);
  if (config.x509CertificateChain === 'X5C' && signing.x5c === undefined)
    ctx.logger.warn({}, 'generate-jwt: x509CertificateChain X5C only applies to RSA_RS256; ignored');
  const header = {
    alg: signing.alg,
    ...(config.kid === undefined || config.kid === '' ? {} : { kid: config.kid }),
    ...(signing.x5c === undefined ? {} : { x5c: signing.x5c }),
  };
  const id = optional(config.id);
  const subject = optional(config.subject);
  const issuer = optional(config.issuer);
  const audiences = config.audiences.map(templateValue);
  const claims = config.customClaims.map((c) => ({ name: c.name, value: templateValue(c.value) }));
  const lifetime = config.expiresIn * UNIT_SECONDS[config.expiresInUnit];

  const payloadOf = (exec: ExecutionContext): JWTPayload => {
    const iat = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = { iat, jti: text(id, exec) || crypto.randomUUID() };
    const aud = audiences.map((a) => text(a, exec));
    if (aud.length === 1) payload.aud = aud[0]!;
    else if (aud.length > 1) payload.aud = aud;
    const sub = text(subject, exec);
    if (sub !== '') payload.sub = sub;
    const iss = text(issuer, exec);
    if (iss !== '') payload.iss = iss;
    if (lifetime > 0) payload.exp = iat + lifetime;
    for (const claim of claims) payload[claim.name] = toJson(evaluateValue(claim.value, exec));
    return payload;
  };

  return {
    async onRequest(exec: ExecutionContext): Promise<void> {
      let token: string;
      try {
        token = await new SignJWT(payloadOf(exec)).setProtectedHeader(header).sign(signing.key);
      } catch (error) {
        exec.logger.warn({ err: error }, 'generate-jwt: unable to generate the token');
        return exec.interrupt({
          status: 500,
          key: GENERATE_JWT_FAILED,
          message: `Unable to generate JWT token: ${(error as Error).message}`,
        });
      }
      exec.attributes.set(ATTR_JWT_GENERATED, token);
    },
  };
}
