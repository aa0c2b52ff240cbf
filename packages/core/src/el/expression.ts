import type { Ev } from './compile-types.js';
import { compileAst } from './compiler.js';
import type { ElContext } from './context.js';
import { ElEvaluationError, ElSyntaxError, type ElSyntaxErrorCode, evalError } from './errors.js';
import { parseExpression } from './parser.js';
import { checkString, createState, type EvalState, type EvaluateOptions } from './state.js';
import { splitTemplate } from './template.js';
import { parseBooleanText, toStringValue, typeName } from './values.js';

/** A bare expression (`#request.method == 'GET'`), compiled once. */
export interface CompiledExpression {
  readonly kind: 'expression';
  readonly source: string;
  /** Roots and first members the expression reads (`request`, `request.content`...), sorted. */
  readonly references: readonly string[];
}

/** A template (`Hello {#request.params['name'][0]}!`), compiled once. */
export interface CompiledTemplate {
  readonly kind: 'template';
  readonly source: string;
  readonly references: readonly string[];
  /** True when the template has no expression block: it evaluates to its own text. */
  readonly isLiteral: boolean;
}

export type ElCompiled = CompiledExpression | CompiledTemplate;

class CompiledImpl {
  readonly #ev: Ev;

  constructor(
    readonly kind: 'expression' | 'template',
    readonly source: string,
    readonly references: readonly string[],
    readonly isLiteral: boolean,
    ev: Ev,
  ) {
    this.#ev = ev;
    Object.freeze(this);
  }

  static run(c: ElCompiled, s: EvalState): unknown {
    if (!(c instanceof CompiledImpl))
      throw new TypeError('Not a compiled expression: use compileExpression/compileTemplate');
    return c.#ev(s);
  }
}

const MAX_CACHED = 2_000;
const expressionCache = new Map<string, CompiledExpression>();
const templateCache = new Map<string, CompiledTemplate>();

/** A bounded LRU: a hit moves to the end, the oldest entry is evicted when full. */
function cached<T>(cache: Map<string, T>, source: string, build: () => T): T {
  const hit = cache.get(source);
  if (hit !== undefined) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  let built: T;
  try {
    built = build();
  } catch (e) {
    if (e instanceof ElSyntaxError) throw e;
    // A failure that is not a diagnosed syntax error (e.g. a stack overflow on absurd input) is still a refusal.
    throw new ElSyntaxError(
      `The expression cannot be compiled: ${e instanceof Error ? e.message : String(e)}`,
      0,
      source,
    );
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(source, built);
  return built;
}

/**
 * Compiles a bare expression (no braces). The result is cached by source text, so the same expression across APIs
 * compiles once. Throws `ElSyntaxError` (with the position) for bad syntax or refused constructs.
 *
 * @example
 * const isGet = compileExpression("#request.method == 'GET'");
 * evaluate(isGet, createElContext({ request: { method: 'GET' } })); // true
 */
export function compileExpression(source: string): CompiledExpression {
  return cached(expressionCache, source, () => {
    const { ev, references } = compileAst(parseExpression(source), source);
    return new CompiledImpl('expression', source, references, false, ev) as CompiledExpression;
  });
}

/**
 * Compiles a template: literal text with `{#...}`, `{(...)}` or `{T(...)...}` expression blocks. A template that is
 * exactly one block evaluates to the block's typed value; otherwise to the concatenated string (null blocks print
 * nothing); text without blocks evaluates to itself. Cached like `compileExpression`.
 *
 * @example
 * const t = compileTemplate("Hello {#request.params['name'][0]}!");
 * evaluate(t, createElContext({ request: { params: { name: ['Ada'] } } })); // 'Hello Ada!'
 */
export function compileTemplate(template: string): CompiledTemplate {
  return cached(templateCache, template, () => {
    const parts = splitTemplate(template);
    const references = new Set<string>();
    const pieces: (string | Ev)[] = parts.map((p) => {
      if ('text' in p) return p.text;
      const compiled = compileAst(parseExpression(template, p.start, p.end), template);
      for (const r of compiled.references) references.add(r);
      return compiled.ev;
    });
    const refs = [...references].sort();
    if (pieces.every((p) => typeof p === 'string'))
      return new CompiledImpl('template', template, refs, true, () => template) as CompiledTemplate;
    if (pieces.length === 1)
      return new CompiledImpl('template', template, refs, false, pieces[0] as Ev) as CompiledTemplate;
    const ev: Ev = (s) => {
      let out = '';
      for (const piece of pieces) {
        if (typeof piece === 'string') out += piece;
        else {
          const v = piece(s);
          if (v !== null && v !== undefined) out += toStringValue(v);
        }
        if (out.length > s.maxStringLength) checkString(s, out);
      }
      return out;
    };
    return new CompiledImpl('template', template, refs, false, ev) as CompiledTemplate;
  });
}

/**
 * Evaluates a compiled expression or template against a context, within the step budget and size limits. Throws
 * `ElEvaluationError` (with `code`, `position` and `expression`) and nothing else.
 *
 * @example
 * evaluate(compileTemplate("{#request.headers['x-foo'][0]}"), ctx); // 'bar'
 */
export function evaluate(compiled: ElCompiled, context: ElContext, options?: EvaluateOptions): unknown {
  if (compiled.kind === 'template' && compiled.isLiteral) return compiled.source;
  const s = createState(context as unknown as Readonly<Record<string, unknown>>, options);
  try {
    return CompiledImpl.run(compiled, s);
  } catch (e) {
    throw locate(e, s, compiled.source);
  }
}

function locate(e: unknown, s: EvalState, source: string): ElEvaluationError {
  let error: ElEvaluationError;
  if (e instanceof ElEvaluationError) error = e;
  else if (e instanceof RangeError)
    error = evalError('EL_BUDGET_EXCEEDED', `The expression exhausted the evaluation stack: ${e.message}`, e);
  else error = evalError('EL_INTERNAL_ERROR', `Unexpected failure: ${e instanceof Error ? e.message : String(e)}`, e);
  if (error.position === undefined && s.pos >= 0) error.position = s.pos;
  error.expression ??= source;
  return error;
}

/**
 * Evaluates a condition. Booleans are returned as they are; null (a missing value) is false; strings follow
 * Spring's conversion (`true`/`yes`/`on`/`1` and `false`/`no`/`off`/`0`/empty, any case); a one-element list is
 * its element. Anything else throws `ElEvaluationError` with code `EL_NOT_BOOLEAN`.
 *
 * @example
 * evaluateCondition(compileTemplate('{#response.status >= 400}'), ctx); // true or false
 */
export function evaluateCondition(compiled: ElCompiled, context: ElContext, options?: EvaluateOptions): boolean {
  const value = evaluate(compiled, context, options);
  const result = toCondition(value);
  if (result === null) {
    const error = evalError('EL_NOT_BOOLEAN', `The condition evaluated to ${typeName(value)}, not a boolean`);
    error.expression = compiled.source;
    throw error;
  }
  return result;
}

function toCondition(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === null || v === undefined || v === '') return false;
  if (typeof v === 'string') return parseBooleanText(v);
  if (Array.isArray(v) && v.length === 1) return toCondition(v[0]);
  return null;
}

/**
 * Evaluates to text, as Gravitee does for string settings: null is `''`, a list joins its elements with `,`.
 *
 * @example
 * evaluateToString(compileTemplate("{#request.headers['x-foo']}"), ctx); // 'a,b' for two values
 */
export function evaluateToString(compiled: ElCompiled, context: ElContext, options?: EvaluateOptions): string {
  const value = evaluate(compiled, context, options);
  return value === null || value === undefined ? '' : toStringValue(value);
}

export type ElValidationResult =
  | { ok: true }
  | { ok: false; position: number; message: string; code: ElSyntaxErrorCode };

function validate(compile: () => unknown): ElValidationResult {
  try {
    compile();
    return { ok: true };
  } catch (e) {
    if (e instanceof ElSyntaxError) return { ok: false, position: e.position, message: e.message, code: e.code };
    throw e;
  }
}

/**
 * Checks a template at deploy time without throwing.
 *
 * @example
 * validateTemplate("{#request.headers['x'}"); // { ok: false, position: 21, message: "Expected ']' ...", code: ... }
 */
export function validateTemplate(template: string): ElValidationResult {
  return validate(() => compileTemplate(template));
}

/**
 * Checks a bare expression at deploy time without throwing.
 *
 * @example
 * validateExpression('T(java.lang.Runtime).getRuntime()').ok; // false
 */
export function validateExpression(source: string): ElValidationResult {
  return validate(() => compileExpression(source));
}
