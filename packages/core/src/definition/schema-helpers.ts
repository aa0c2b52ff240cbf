import { type Static, type TSchema, type TUnion, Type } from '@sinclair/typebox';

/**
 * A string enumeration as a plain JSON Schema `enum` (clearer validation errors than a union of literals).
 *
 * @example
 * const Mode = StringEnum(['DEFAULT', 'BEST_MATCH']); // Static<typeof Mode> = 'DEFAULT' | 'BEST_MATCH'
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * A union of object schemas told apart by their `type` property, emitted as `oneOf` + OpenAPI `discriminator`
 * (ajv option `discriminator: true`), so a validation error names the branch chosen by `type` instead of every branch.
 *
 * @example
 * const Selector = DiscriminatedUnion([HttpSelector, ConditionSelector]);
 */
export function DiscriminatedUnion<const T extends TSchema[]>(schemas: [...T], options: Record<string, unknown> = {}) {
  return Type.Unsafe<Static<TUnion<T>>>({
    type: 'object',
    discriminator: { propertyName: 'type' },
    required: ['type'],
    oneOf: schemas,
    ...options,
  });
}

/** A free JSON object (plugin configuration): any keys, any values. */
export const FreeObject = (options: Record<string, unknown> = {}) =>
  Type.Record(Type.String(), Type.Unknown(), options);
