/**
 * Errors of the expression language. Compilation reports `ElSyntaxError` (with the 0-based position in the source
 * text), evaluation reports `ElEvaluationError` (with a stable code). Nothing else escapes the public functions.
 */

/** Why a source text was refused at compile time. */
export type ElSyntaxErrorCode =
  /** The text is not valid expression syntax. */
  | 'EL_SYNTAX_ERROR'
  /** The text is valid SpEL but names something this engine refuses (a type, a member, `new`, a bean...). */
  | 'EL_FORBIDDEN'
  /** A method or function that no receiver type provides. */
  | 'EL_UNKNOWN_METHOD';

/**
 * A compile-time error: the expression (or template) cannot be parsed, or uses something that is not allowed.
 *
 * @example
 * try { compileExpression('#request.headers[') } catch (e) { if (e instanceof ElSyntaxError) console.log(e.position) }
 */
export class ElSyntaxError extends Error {
  readonly code: ElSyntaxErrorCode;
  /** 0-based offset in `expression` where the problem starts. */
  readonly position: number;
  /** The whole source text that was compiled (the template when compiling a template). */
  readonly expression: string;

  constructor(message: string, position: number, expression: string, code: ElSyntaxErrorCode = 'EL_SYNTAX_ERROR') {
    super(message);
    this.name = 'ElSyntaxError';
    this.code = code;
    this.position = position;
    this.expression = expression;
  }
}

/** Why an evaluation failed. */
export type ElEvaluationErrorCode =
  /** The expression evaluated more nodes than the step budget allows. */
  | 'EL_BUDGET_EXCEEDED'
  /** A string or a collection produced by the expression is larger than the configured limit. */
  | 'EL_SIZE_LIMIT_EXCEEDED'
  /** An operator or method received a value of the wrong type (including null where a boolean is needed). */
  | 'EL_TYPE_ERROR'
  /** A property, index or method was applied to null. */
  | 'EL_NULL_REFERENCE'
  /** The receiver type has no such method, or the argument count does not match. */
  | 'EL_UNKNOWN_METHOD'
  /** A member name that is never readable (`__proto__`, `constructor`, `prototype`), or a property on a host object. */
  | 'EL_FORBIDDEN_MEMBER'
  /** A list, string or character index outside its bounds. */
  | 'EL_INDEX_OUT_OF_BOUNDS'
  /** Integer division or remainder by zero. */
  | 'EL_DIVISION_BY_ZERO'
  /** An argument has the right type but an invalid value (a bad number format, a bad regular expression...). */
  | 'EL_INVALID_ARGUMENT'
  /** A function (#jsonPath, #xpath...) failed: invalid JSON/XML content or path. */
  | 'EL_FUNCTION_ERROR'
  /** A condition evaluated to something that is not a boolean. */
  | 'EL_NOT_BOOLEAN'
  /** A value provider of the context threw. */
  | 'EL_CONTEXT_ERROR'
  /** An unexpected failure of the engine itself (a bug): reported as an evaluation error rather than escaping. */
  | 'EL_INTERNAL_ERROR';

/**
 * An evaluation-time error. The `code` is stable; the message says what happened in SpEL terms.
 *
 * @example
 * try { evaluate(compiled, ctx) } catch (e) { if (e instanceof ElEvaluationError && e.code === 'EL_BUDGET_EXCEEDED') ... }
 */
export class ElEvaluationError extends Error {
  readonly code: ElEvaluationErrorCode;
  /** 0-based offset of the failing node in `expression`, when known. */
  position: number | undefined;
  /** The source text being evaluated, when known. */
  expression: string | undefined;

  constructor(code: ElEvaluationErrorCode, message: string, options: { cause?: unknown; position?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ElEvaluationError';
    this.code = code;
    this.position = options.position;
    this.expression = undefined;
  }
}

/** Shorthand used by the runtime: builds (does not throw) an evaluation error. */
export function evalError(code: ElEvaluationErrorCode, message: string, cause?: unknown): ElEvaluationError {
  return new ElEvaluationError(code, message, cause === undefined ? {} : { cause });
}
