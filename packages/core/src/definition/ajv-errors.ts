import type { ErrorObject } from 'ajv';
import type { FieldError } from '../errors.js';

/** Escapes one JSON pointer segment (RFC 6901 section 3). */
export function pointerSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Joins segments into a JSON pointer: `pointer('endpointGroups', 0, 'name')` is `/endpointGroups/0/name`. */
export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${pointerSegment(s)}`).join('');
}

function describe(error: ErrorObject): FieldError {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        path: `${error.instancePath}/${pointerSegment(String(params.missingProperty))}`,
        message: 'is required',
      };
    case 'enum':
      return {
        path: error.instancePath,
        message: `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    case 'const':
      return { path: error.instancePath, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'type':
      return { path: error.instancePath, message: `must be of type ${String(params.type)}` };
    case 'minLength':
      return {
        path: error.instancePath,
        message: params.limit === 1 ? 'must not be empty' : `must have at least ${params.limit} characters`,
      };
    case 'discriminator':
      return params.error === 'tag' && params.tagValue === undefined
        ? { path: `${error.instancePath}/${params.tag}`, message: 'is required' }
        : { path: `${error.instancePath}/${params.tag}`, message: `unknown type ${JSON.stringify(params.tagValue)}` };
    default:
      return { path: error.instancePath, message: error.message ?? `fails the ${error.keyword} rule` };
  }
}

/**
 * Maps ajv errors to field errors: the JSON pointer of the offending value (the missing property itself for
 * `required`) and a message for humans. Duplicates are dropped.
 */
export function toFieldErrors(errors: readonly ErrorObject[] | null | undefined): FieldError[] {
  return uniqueFieldErrors((errors ?? []).map(describe));
}

/** Drops repeated field errors (same pointer and message), keeping the first occurrence's order. */
export function uniqueFieldErrors(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const field of errors) {
    const key = `${field.path}\u0000${field.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(field);
    }
  }
  return out;
}
