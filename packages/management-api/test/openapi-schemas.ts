import { readFileSync } from 'node:fs';
import { fixturePath } from '@apim/testkit';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const SPEC_ID = 'management-v2';

/**
 * Turns the OpenAPI 3.0 flavour of JSON Schema into plain JSON Schema: `nullable` becomes a `null` type, external
 * references (other documents) accept anything, `discriminator` (with mappings ajv does not support) is dropped
 * and `oneOf` becomes `anyOf` (without the discriminator several branches of loose schemas match).
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'discriminator' || key === 'example' || key === 'examples') continue;
    if (key === '$ref' && typeof value === 'string') {
      if (!value.startsWith('#/')) return {};
      out.$ref = `${SPEC_ID}${value}`;
      continue;
    }
    out[key === 'oneOf' ? 'anyOf' : key] = toJsonSchema(value);
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
  }
  return out;
}

let ajv: Ajv | undefined;
const cache = new Map<string, ValidateFunction>();

/**
 * A validator for a component schema of Gravitee's Management API v2 OpenAPI document
 * (`../shared/fixtures/gravitee/openapi/management-v2-apis.yaml`), e.g. `ApiV4`, `PlanV4`, `Error`, `Pagination`.
 */
export function openApiValidator(schemaName: string): ValidateFunction {
  if (!ajv) {
    const spec = parse(readFileSync(fixturePath('gravitee/openapi/management-v2-apis.yaml'), 'utf8'));
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addFormat('base64', true);
    ajv.addSchema({ $id: SPEC_ID, components: toJsonSchema(spec.components) });
  }
  let validator = cache.get(schemaName);
  if (!validator) {
    validator = ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${schemaName}` });
    cache.set(schemaName, validator);
  }
  return validator;
}

/** The problems of `value` against a component schema, as readable lines (empty when it conforms). */
export function openApiErrors(schemaName: string, value: unknown): string[] {
  const validate = openApiValidator(schemaName);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}
