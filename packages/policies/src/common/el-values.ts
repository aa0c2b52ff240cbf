import { type CompiledTemplate, compileTemplate, type ElContext, type ExecutionContext, evaluate } from '@apim/core';

/** A template compiled at deploy time, or the literal text itself when it has no expression block. */
export type TemplateValue = string | CompiledTemplate;

/** Compiles once: literal text stays a string, so the per-request path never touches the EL engine for it. */
export function templateValue(source: string): TemplateValue {
  const compiled = compileTemplate(source);
  return compiled.isLiteral ? source : compiled;
}

function text(value: unknown): string {
  if (Array.isArray(value)) return value.map(text).join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** Evaluates to text as Gravitee's template engine does; null when the expression gives null. */
export function evaluateText(value: TemplateValue, exec: ExecutionContext): string | null {
  if (typeof value === 'string') return value;
  const result = evaluate(value, exec.el());
  return result === null || result === undefined ? null : text(result);
}

/**
 * `evaluateText` against a given EL context, e.g. the exchange's with extra variables:
 * `evaluateTextIn(url, () => ({ ...exec.el(), variables: { group } }))`. The context is built only when the value is
 * not literal.
 */
export function evaluateTextIn(value: TemplateValue, context: () => ElContext): string | null {
  if (typeof value === 'string') return value;
  const result = evaluate(value, context());
  return result === null || result === undefined ? null : text(result);
}

/** Evaluates to the typed value (`assign-attributes`). */
export function evaluateValue(value: TemplateValue, exec: ExecutionContext): unknown {
  return typeof value === 'string' ? value : evaluate(value, exec.el());
}
