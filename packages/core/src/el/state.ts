import { evalError } from './errors.js';

/** Limits of one evaluation. */
export interface EvaluateOptions {
  /** Node evaluations allowed (default 10,000); each element visited by a selection, projection or path counts. */
  maxSteps?: number;
  /** Longest string an expression may produce, in UTF-16 code units (default 1,048,576). */
  maxStringLength?: number;
  /** Largest list or map an expression may produce (default 100,000 elements). */
  maxCollectionSize?: number;
}

export const DEFAULT_MAX_STEPS = 10_000;
export const DEFAULT_MAX_STRING_LENGTH = 1_048_576;
export const DEFAULT_MAX_COLLECTION_SIZE = 100_000;

/** The mutable state of one evaluation, threaded through the compiled closures. */
export interface EvalState {
  /** The roots (`#request`...) and extra variables. */
  readonly ctx: Readonly<Record<string, unknown>>;
  steps: number;
  readonly maxSteps: number;
  readonly maxStringLength: number;
  readonly maxCollectionSize: number;
  /** `#this`: the element under a selection or projection, null at the top. */
  thisValue: unknown;
  /** Position of the last node that started an operation that can fail (for error messages). */
  pos: number;
  /** The last JSON text parsed by `#jsonPath` in this evaluation, and its value. */
  json?: { text: string; value: unknown };
  /** The last XML text parsed by `#xpath` in this evaluation, and its document. */
  xml?: { text: string; value: unknown };
}

export function createState(ctx: Readonly<Record<string, unknown>>, options: EvaluateOptions | undefined): EvalState {
  return {
    ctx,
    steps: 0,
    maxSteps: options?.maxSteps ?? DEFAULT_MAX_STEPS,
    maxStringLength: options?.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH,
    maxCollectionSize: options?.maxCollectionSize ?? DEFAULT_MAX_COLLECTION_SIZE,
    thisValue: null,
    pos: -1,
  };
}

/** Adds `n` steps (for work proportional to data: path scans, element visits) and enforces the budget. */
export function charge(s: EvalState, n: number): void {
  s.steps += n;
  if (s.steps > s.maxSteps) budgetExceeded(s);
}

export function budgetExceeded(s: EvalState): never {
  throw evalError('EL_BUDGET_EXCEEDED', `The expression exceeded its budget of ${s.maxSteps} evaluation steps`);
}

/** Returns `str` when it fits the string limit. */
export function checkString(s: EvalState, str: string): string {
  if (str.length > s.maxStringLength) stringTooLong(s, str.length);
  return str;
}

export function stringTooLong(s: EvalState, length: number): never {
  throw evalError(
    'EL_SIZE_LIMIT_EXCEEDED',
    `The expression produced a string of ${length} characters (limit ${s.maxStringLength})`,
  );
}

/** Throws when a collection of `size` elements would exceed the collection limit. */
export function checkCollectionSize(s: EvalState, size: number): void {
  if (size > s.maxCollectionSize)
    throw evalError(
      'EL_SIZE_LIMIT_EXCEEDED',
      `The expression produced a collection of ${size} elements (limit ${s.maxCollectionSize})`,
    );
}
