import { Type } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { type FieldError, ValidationError } from '../errors.js';
import { toFieldErrors, uniqueFieldErrors } from './ajv-errors.js';
import { type ApiDefinition, ApiDefinitionSchema } from './api.js';
import { type ApiExport, GraviteeMemberSchema, GraviteeMetadataSchema, GraviteePageSchema } from './export.js';
import { PLAN_SECURITY_ALIASES, type PlanDefinition, PlanDefinitionSchema } from './plan.js';
import { checkApiSemantics, checkPlanSemantics } from './semantic-checks.js';

/** The outcome of a validation: the validated, defaulted copy of the input, or every problem found. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

// Compiled once: validation is called per request by the management API and per deployment by the gateway.
const ajv = new Ajv({ allErrors: true, useDefaults: true, discriminator: true, strict: false });
const apiValidator = ajv.compile<ApiDefinition>(ApiDefinitionSchema);
const planValidator = ajv.compile<PlanDefinition>(PlanDefinitionSchema);
const exportExtrasValidator = ajv.compile(
  Type.Object({
    pages: Type.Array(GraviteePageSchema, { default: [] }),
    members: Type.Array(GraviteeMemberSchema, { default: [] }),
    metadata: Type.Array(GraviteeMetadataSchema, { default: [] }),
    apiPicture: Type.Optional(Type.String()),
    apiBackground: Type.Optional(Type.String()),
    apiMedia: Type.Array(Type.Unknown(), { default: [] }),
  }),
);

function clone(input: unknown): { ok: true; value: unknown } | { ok: false; errors: FieldError[] } {
  try {
    return { ok: true, value: structuredClone(input) };
  } catch (error) {
    return { ok: false, errors: [{ path: '', message: `is not a JSON document: ${(error as Error).message}` }] };
  }
}

/** Validates `value` in place (defaults are written into it): schema errors then semantic errors. */
function check(validator: ValidateFunction, value: unknown, semantics: (value: unknown) => FieldError[]): FieldError[] {
  const valid = validator(value);
  return uniqueFieldErrors([...(valid ? [] : toFieldErrors(validator.errors)), ...semantics(value)]);
}

const noSemantics = (): FieldError[] => [];
const prefixed = (prefix: string, errors: FieldError[]) => errors.map((e) => ({ ...e, path: `${prefix}${e.path}` }));

/** Accepts Gravitee's lowercase security plugin ids and a JSON-string configuration (as older v4 exports have). */
function preparePlan(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  const security = (value as { security?: unknown }).security;
  if (typeof security !== 'object' || security === null) return;
  const s = security as { type?: unknown; configuration?: unknown };
  if (typeof s.type === 'string') s.type = PLAN_SECURITY_ALIASES[s.type.toLowerCase()] ?? s.type;
  if (typeof s.configuration === 'string') {
    try {
      s.configuration = s.configuration.trim() === '' ? {} : JSON.parse(s.configuration);
    } catch {
      // Left as a string: the schema reports it.
    }
  }
}

/**
 * Validates a v4 API definition against {@link ApiDefinitionSchema} plus the semantic rules (listeners, context
 * paths, endpoint groups, targets). Works on a structured clone: the caller's object is never modified; the returned
 * value carries the schema defaults.
 *
 * @example
 * const result = validateApiDefinition(body);
 * if (!result.ok) throw new ValidationError('The API definition is invalid', result.errors, 'DEFINITION_INVALID');
 */
export function validateApiDefinition(input: unknown): ValidationResult<ApiDefinition> {
  const copy = clone(input);
  if (!copy.ok) return copy;
  const errors = check(apiValidator, copy.value, checkApiSemantics);
  return errors.length === 0 ? { ok: true, value: copy.value as ApiDefinition } : { ok: false, errors };
}

/**
 * Validates a v4 plan; lowercase security ids (`api-key`, `key-less`...) are normalised to `API_KEY`, `KEY_LESS`...
 * and a JSON-string security configuration is parsed. Never modifies the input.
 *
 * @example
 * const result = validatePlanDefinition({ id: 'p1', name: 'Free', security: { type: 'key-less' } });
 * // result.ok && result.value.security?.type === 'KEY_LESS'
 */
export function validatePlanDefinition(input: unknown): ValidationResult<PlanDefinition> {
  const copy = clone(input);
  if (!copy.ok) return copy;
  preparePlan(copy.value);
  const errors = check(planValidator, copy.value, checkPlanSemantics);
  return errors.length === 0 ? { ok: true, value: copy.value as PlanDefinition } : { ok: false, errors };
}

/**
 * Validates a whole v4 export document (`{ api, plans, pages, members, metadata, apiMedia... }`): the API and each
 * plan as {@link validateApiDefinition} / {@link validatePlanDefinition} do, with pointers into the document
 * (`/api/listeners/0/paths/0/path`, `/plans/1/security/type`).
 *
 * @example
 * const result = validateApiExport(JSON.parse(exportText));
 */
export function validateApiExport(input: unknown): ValidationResult<ApiExport> {
  const copy = clone(input);
  if (!copy.ok) return copy;
  const doc = copy.value;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, errors: [{ path: '', message: 'must be an object' }] };
  }
  const record = doc as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (record.api === undefined) errors.push({ path: '/api', message: 'is required' });
  else errors.push(...prefixed('/api', check(apiValidator, record.api, checkApiSemantics)));
  record.plans ??= [];
  if (!Array.isArray(record.plans)) errors.push({ path: '/plans', message: 'must be of type array' });
  else {
    record.plans.forEach((plan, i) => {
      preparePlan(plan);
      errors.push(...prefixed(`/plans/${i}`, check(planValidator, plan, checkPlanSemantics)));
    });
  }
  errors.push(...check(exportExtrasValidator, doc, noSemantics));
  return errors.length === 0 ? { ok: true, value: doc as ApiExport } : { ok: false, errors };
}

/**
 * Like {@link validateApiDefinition} but throws a {@link ValidationError} (code DEFINITION_INVALID) listing every
 * problem; returns the validated, defaulted copy.
 *
 * @example
 * const api = assertValidApiDefinition(JSON.parse(text));
 */
export function assertValidApiDefinition(input: unknown): ApiDefinition {
  const result = validateApiDefinition(input);
  if (!result.ok) throw new ValidationError('The API definition is invalid', result.errors, 'DEFINITION_INVALID');
  return result.value;
}

/** Like {@link validatePlanDefinition} but throws a {@link ValidationError} (code DEFINITION_INVALID). */
export function assertValidPlanDefinition(input: unknown): PlanDefinition {
  const result = validatePlanDefinition(input);
  if (!result.ok) throw new ValidationError('The plan definition is invalid', result.errors, 'DEFINITION_INVALID');
  return result.value;
}
