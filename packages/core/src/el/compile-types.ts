import type { Node, NumberKind } from './ast.js';
import { ElSyntaxError, type ElSyntaxErrorCode } from './errors.js';
import { budgetExceeded, type EvalState } from './state.js';

/** A compiled node: a closure over its compiled children. */
export type Ev = (s: EvalState) => unknown;

export interface CompiledNode {
  ev: Ev;
  /** The kind of number the node yields, when statically known (Java integer division needs it). */
  kind?: NumberKind;
  /** Set when the value is known at compile time. */
  constant?: { value: unknown };
}

/** What the node compilers share: the source (for errors), collected references, recursion. */
export interface CompileContext {
  readonly source: string;
  /** `request`, `request.headers`, `context.attributes`...: the roots (and their first member) the expression reads. */
  readonly references: Set<string>;
  compile(node: Node): CompiledNode;
  fail(message: string, position: number, code?: ElSyntaxErrorCode): never;
}

export function syntaxError(source: string, message: string, position: number, code?: ElSyntaxErrorCode): never {
  throw new ElSyntaxError(message, position, source, code);
}

/** Counts one node evaluation against the budget. */
export function step(s: EvalState): void {
  if (++s.steps > s.maxSteps) budgetExceeded(s);
}

export const NO_ARGS: readonly unknown[] = Object.freeze([]);

/** One closure that evaluates compiled arguments into a fresh array. */
export function argsEvaluator(evs: Ev[]): (s: EvalState) => unknown[] {
  switch (evs.length) {
    case 0:
      return () => NO_ARGS as unknown[];
    case 1: {
      const [a] = evs as [Ev];
      return (s) => [a(s)];
    }
    case 2: {
      const [a, b] = evs as [Ev, Ev];
      return (s) => [a(s), b(s)];
    }
    default:
      return (s) => evs.map((e) => e(s));
  }
}
