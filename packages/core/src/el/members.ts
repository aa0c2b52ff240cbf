import { evalError } from './errors.js';
import { ElMultiValueMap } from './multi-value-map.js';
import { isPlainObject, numberToString, resolveLazy, truncate, typeName } from './values.js';

/**
 * Safe member access. Only own data of plain objects, arrays, Maps and `ElMultiValueMap`s is readable; nothing is
 * ever looked up on a JavaScript prototype, and the names below are refused wherever they appear.
 */
export function isForbiddenName(name: string): boolean {
  return name === 'constructor' || name === 'prototype' || name.startsWith('__');
}

export function forbiddenNameMessage(name: string): string {
  return `Access to '${name}' is not allowed in expressions`;
}

/** `target.name`: a map entry or own property (null when absent). */
export function readProperty(target: unknown, name: string): unknown {
  if (target instanceof ElMultiValueMap) return target.get(name);
  if (isPlainObject(target)) return Object.hasOwn(target, name) ? resolveLazy(target[name]) : null;
  if (target instanceof Map) return resolveLazy(target.get(name));
  if (target === null || target === undefined)
    throw evalError('EL_NULL_REFERENCE', `Cannot read property '${name}' of null`);
  throw evalError('EL_FORBIDDEN_MEMBER', `Property '${name}' cannot be found on ${typeName(target)}`);
}

/** `target[key]`: a list element, a character, a map entry (null when absent). */
export function readIndex(target: unknown, key: unknown): unknown {
  if (Array.isArray(target)) {
    const i = toIndex(key);
    if (i < 0 || i >= target.length)
      throw evalError(
        'EL_INDEX_OUT_OF_BOUNDS',
        `Index ${i} is out of bounds for a list of ${target.length} element${target.length === 1 ? '' : 's'}`,
      );
    return resolveLazy(target[i]);
  }
  if (target instanceof ElMultiValueMap) return target.get(keyString(key));
  if (isPlainObject(target)) {
    const name = keyString(key);
    if (isForbiddenName(name)) throw evalError('EL_FORBIDDEN_MEMBER', forbiddenNameMessage(name));
    return Object.hasOwn(target, name) ? resolveLazy(target[name]) : null;
  }
  if (target instanceof Map) return resolveLazy(target.get(key));
  if (typeof target === 'string') {
    const i = toIndex(key);
    if (i < 0 || i >= target.length)
      throw evalError('EL_INDEX_OUT_OF_BOUNDS', `Index ${i} is out of bounds for a string of length ${target.length}`);
    return target[i];
  }
  if (target === null || target === undefined) throw evalError('EL_NULL_REFERENCE', 'Cannot index into a null value');
  throw evalError('EL_TYPE_ERROR', `Cannot index into a value of type ${typeName(target)}`);
}

/** An integer index from a number or a numeric string, as Spring's conversion to `int` does. */
export function toIndex(key: unknown): number {
  if (typeof key === 'number' && Number.isInteger(key)) return key;
  if (typeof key === 'string' && /^[+-]?\d{1,15}$/.test(key.trim())) return Number.parseInt(key, 10);
  throw evalError(
    'EL_TYPE_ERROR',
    `An index must be an integer, not ${typeof key === 'string' ? `'${truncate(key)}'` : typeName(key)}`,
  );
}

function keyString(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number') return numberToString(key);
  if (typeof key === 'boolean') return String(key);
  throw evalError('EL_TYPE_ERROR', `A map key must be a string, not ${typeName(key)}`);
}
