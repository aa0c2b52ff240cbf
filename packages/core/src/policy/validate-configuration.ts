/**
 * Deploy-time validation of a step configuration against its policy's schema: ajv (compiled once per policy, with
 * defaults), then every `x-el` string compiled as an EL template. Never per request.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { toFieldErrors } from '../definition/ajv-errors.js';
import type { ValidationResult } from '../definition/validate.js';
import { validateTemplate } from '../el/index.js';
import type { FieldError } from '../errors.js';
import type { PolicyPlugin } from './define-policy.js';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validators = new WeakMap<PolicyPlugin, ValidateFunction>();

function validatorOf(plugin: PolicyPlugin): ValidateFunction {
  let validator = validators.get(plugin);
  if (validator === undefined) {
    validator = ajv.compile(plugin.schema);
    validators.set(plugin, validator);
  }
  return validator;
}

type SchemaNode = {
  'x-el'?: boolean;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
};

/** Compiles every string the schema marks `x-el: true`, reporting syntax errors with their pointer and position. */
function checkTemplates(schema: SchemaNode, value: unknown, path: string, out: FieldError[]): void {
  if (schema['x-el'] === true && typeof value === 'string') {
    const result = validateTemplate(value);
    if (!result.ok) out.push({ path, message: `invalid EL at position ${result.position}: ${result.message}` });
    return;
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    for (let i = 0; i < value.length; i++) checkTemplates(schema.items, value[i], `${path}/${i}`, out);
  } else if (typeof value === 'object' && value !== null && schema.properties !== undefined) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) checkTemplates(sub, v, `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, out);
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates a step configuration for a policy: returns a deep-frozen copy with the schema defaults applied, or
 * the problems as JSON pointers relative to the configuration (`/addHeaders/0/value`). A missing configuration is `{}`.
 *
 * @example
 * const result = validatePolicyConfiguration(mockPolicy, { status: '200', content: 'Hello' });
 * if (result.ok) mockPolicy.create(result.value, ctx);
 */
export function validatePolicyConfiguration<P extends PolicyPlugin>(
  plugin: P,
  configuration: unknown,
): ValidationResult<Readonly<Record<string, unknown>>> {
  const copy = configuration === undefined || configuration === null ? {} : structuredClone(configuration);
  const validator = validatorOf(plugin);
  if (!validator(copy)) return { ok: false, errors: toFieldErrors(validator.errors) };
  const errors: FieldError[] = [];
  checkTemplates(plugin.schema as SchemaNode, copy, '', errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: deepFreeze(copy as Record<string, unknown>) };
}
