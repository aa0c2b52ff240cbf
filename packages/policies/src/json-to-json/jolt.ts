/**
 * A JOLT chain (`Chainr`): the specification is parsed and compiled once; `transform` runs the operations in order.
 * Supported operations: `shift`, `default`, `remove`, `sort`, `cardinality`, `modify-overwrite-beta`,
 * `modify-default-beta`. Unsupported: `&` keys on the left-hand side, `@` inside output paths other than `@(n,path)`,
 * custom Java transforms, modify functions other than `MODIFY_FUNCTIONS`.
 */
import { applyModify, compileModify } from './jolt-modify.js';
import { applyCardinality, applyDefault, applyRemove, applySort, compileTree, leaves } from './jolt-ops.js';
import { isObject, JoltSpecError } from './jolt-paths.js';
import { compileShift, runShift } from './jolt-shift.js';

/** The operation names accepted in `operation`. */
export const JOLT_OPERATIONS = [
  'shift',
  'default',
  'remove',
  'sort',
  'cardinality',
  'modify-overwrite-beta',
  'modify-default-beta',
] as const;

type Step = (input: unknown) => unknown;

const inPlace =
  (apply: (target: Record<string, unknown> | unknown[]) => void): Step =>
  (input) => {
    if (typeof input === 'object' && input !== null) apply(input as Record<string, unknown> | unknown[]);
    return input;
  };

function compileStep(operation: unknown, spec: unknown, where: string): Step {
  if (operation === 'sort') return applySort;
  if (!isObject(spec)) throw new JoltSpecError(`operation '${String(operation)}' needs a 'spec' object`, where);
  const at = `${where}.spec`;
  switch (operation) {
    case 'shift': {
      const node = compileShift(spec, at);
      return (input) => runShift(node, input);
    }
    case 'default': {
      const node = compileTree(spec, at, leaves.default, { arrayKeys: true });
      return (input) => {
        const target = typeof input === 'object' && input !== null ? input : {};
        applyDefault(node, target as Record<string, unknown>);
        return target;
      };
    }
    case 'remove': {
      const node = compileTree(spec, at, leaves.remove);
      return inPlace((t) => applyRemove(node, t));
    }
    case 'cardinality': {
      const node = compileTree(spec, at, leaves.cardinality);
      return inPlace((t) => applyCardinality(node, t));
    }
    case 'modify-overwrite-beta':
    case 'modify-default-beta': {
      const node = compileModify(spec, at);
      const overwrite = operation === 'modify-overwrite-beta';
      return (input) => {
        applyModify(node, input, overwrite);
        return input;
      };
    }
    default:
      throw new JoltSpecError(
        `unknown operation '${String(operation)}' (supported: ${JOLT_OPERATIONS.join(', ')})`,
        `${where}.operation`,
      );
  }
}

/** A compiled chain: `transform` takes a parsed JSON value (it is changed in place) and returns the result. */
export interface JoltChain {
  transform(input: unknown): unknown;
}

/**
 * Compiles a JOLT specification (the JSON text or the parsed array); throws `JoltSpecError` when it is invalid.
 *
 * @example
 * compileJolt('[{"operation":"default","spec":{"Hello":"World"}}]').transform({}); // { Hello: 'World' }
 */
export function compileJolt(specification: unknown): JoltChain {
  let spec = specification;
  if (typeof specification === 'string') {
    try {
      spec = JSON.parse(specification);
    } catch (e) {
      throw new JoltSpecError(`not valid JSON (${(e as Error).message})`, 'specification');
    }
  }
  const list = Array.isArray(spec) ? spec : isObject(spec) ? [spec] : null;
  if (list === null) throw new JoltSpecError('must be a list of operations', 'specification');
  const steps = list.map((entry, i) => {
    if (!isObject(entry)) throw new JoltSpecError('an operation must be an object', `[${i}]`);
    return compileStep(entry.operation, entry.spec, `[${i}]`);
  });
  return {
    transform: (input) => steps.reduce((value, step) => step(value), input),
  };
}

export { JoltSpecError };
