import { ElSyntaxError } from './errors.js';

/** A piece of a template: literal text, or the range of an expression block (without its braces). */
export type TemplatePart = { text: string } | { start: number; end: number };

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * Whether the `{` at `i` opens an expression block. As in Gravitee, a block starts with `#`, `(` or `T(` after the
 * brace (spaces allowed, as Gravitee's `\\{ *([#T(])`), so JSON or other text with braces stays literal: `{"a": 1}` is text, `{#a}` is a block.
 */
function opensBlock(template: string, i: number): boolean {
  let k = i + 1;
  while (template[k] === ' ') k++;
  const c = template[k];
  return c === '#' || c === '(' || (c === 'T' && template[k + 1] === '(');
}

/**
 * Splits a template into literal text and expression blocks, matching brackets and skipping string literals inside a
 * block to find its closing `}`. Throws `ElSyntaxError` for an unclosed block or mismatched brackets.
 *
 * @example
 * splitTemplate("Hello {#request.params['name'][0]}!"); // [{text:'Hello '}, {start:7, end:34}, {text:'!'}]
 */
export function splitTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      text += template.slice(i);
      break;
    }
    text += template.slice(i, open);
    if (!opensBlock(template, open)) {
      text += '{';
      i = open + 1;
      continue;
    }
    const close = blockEnd(template, open);
    if (text !== '') parts.push({ text });
    text = '';
    parts.push({ start: open + 1, end: close });
    i = close + 1;
  }
  if (text !== '') parts.push({ text });
  return parts;
}

function blockEnd(template: string, open: number): number {
  const stack: { char: string; at: number }[] = [];
  for (let i = open + 1; i < template.length; i++) {
    const c = template[i]!;
    if (c === "'" || c === '"') {
      const close = template.indexOf(c, i + 1);
      if (close < 0) throw new ElSyntaxError('Unterminated string literal', i, template);
      i = close;
    } else if (Object.hasOwn(OPENERS, c)) {
      stack.push({ char: OPENERS[c]!, at: i });
    } else if (c === ')' || c === ']' || c === '}') {
      if (c === '}' && stack.length === 0) return i;
      const expected = stack.pop();
      if (expected === undefined)
        throw new ElSyntaxError(`Found closing '${c}' without an opening bracket`, i, template);
      if (expected.char !== c)
        throw new ElSyntaxError(`Found closing '${c}' but expected '${expected.char}'`, i, template);
    }
  }
  throw new ElSyntaxError("Missing closing '}' for the expression block", open, template);
}
