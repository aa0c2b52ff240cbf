import type { ElEvaluationError } from './errors.js';
import { evalError } from './errors.js';
import type { EvalState } from './state.js';
import { isMapLike, TypeRef, typeName } from './values.js';

/** A method callable from expressions on one receiver type. */
export interface MethodSpec<T = unknown> {
  /** Accepted argument counts (inclusive). */
  min: number;
  max: number;
  call(s: EvalState, target: T, args: unknown[]): unknown;
}

export type ReceiverKind = 'string' | 'list' | 'map' | 'number' | 'boolean';

export function receiverKind(v: unknown): ReceiverKind | null {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      if (Array.isArray(v)) return 'list';
      if (isMapLike(v)) return 'map';
      return null;
  }
}

/** Builds a method table without a prototype, so a lookup never reaches `Object.prototype`. */
export function methodTable<T>(methods: Record<string, MethodSpec<T>>): ReadonlyMap<string, MethodSpec<T>> {
  return new Map(Object.entries(methods));
}

export const m = <T>(min: number, max: number, call: MethodSpec<T>['call']): MethodSpec<T> => ({ min, max, call });

/** The argument at `i` as a string (Java methods throw on null). */
export function stringArg(args: unknown[], i: number, method: string): string {
  const v = args[i];
  if (typeof v === 'string') return v;
  throw argError(method, i, 'a string', v);
}

/** The argument at `i` as an integer. */
export function intArg(args: unknown[], i: number, method: string): number {
  const v = args[i];
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw argError(method, i, 'an integer', v);
}

export function numberArg(args: unknown[], i: number, method: string): number {
  const v = args[i];
  if (typeof v === 'number') return v;
  throw argError(method, i, 'a number', v);
}

export function argError(method: string, i: number, expected: string, v: unknown): ElEvaluationError {
  return evalError(
    'EL_TYPE_ERROR',
    `${method}(): argument ${i + 1} must be ${expected}, not ${v instanceof TypeRef ? 'a type' : typeName(v)}`,
  );
}
