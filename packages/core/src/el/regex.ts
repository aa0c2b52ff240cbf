import { evalError } from './errors.js';

/**
 * Java regular expressions on JavaScript's engine. The syntax is close; the differences handled here are Java's
 * leading inline flags (`(?i)`), `\A`/`\z`/`\Z` anchors, `\Q...\E` quoting, a few POSIX classes (`\p{Alpha}`), and `matches()` semantics
 * (the whole input must match). Patterns JavaScript cannot express (possessive quantifiers, atomic groups) are refused.
 */
export class JavaPattern {
  #full: RegExp | undefined;
  #global: RegExp | undefined;

  private constructor(
    readonly source: string,
    readonly body: string,
    readonly flags: string,
  ) {}

  /** Compiles `pattern`; throws an `Error` whose message describes the problem. */
  static compile(pattern: string): JavaPattern {
    if (pattern.length > MAX_PATTERN_LENGTH)
      throw new Error(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
    let body = pattern;
    let flags = '';
    const inline = /^\(\?([imsux]+)\)/.exec(body);
    if (inline !== null) {
      for (const f of inline[1]!) {
        if (f === 'x' || f === 'u') throw new Error(`the inline flag (?${f}) is not supported`);
        if (!flags.includes(f)) flags += f;
      }
      body = body.slice(inline[0].length);
    }
    body = translate(body);
    const compiled = new JavaPattern(pattern, body, flags);
    compiled.#full = new RegExp(`(?:${body})(?![\\s\\S])`, `${flags}y`);
    return compiled;
  }

  /** Java `String.matches`: the whole input matches. */
  matchesFully(input: string): boolean {
    const re = this.#full!;
    re.lastIndex = 0;
    return re.test(input);
  }

  /** A global regular expression for searching (replaceAll, split); reset `lastIndex` before use. */
  get global(): RegExp {
    if (this.#global === undefined) this.#global = new RegExp(this.body, `${this.flags}g`);
    this.#global.lastIndex = 0;
    return this.#global;
  }
}

const MAX_PATTERN_LENGTH = 10_000;
const MAX_CACHED = 512;
const cache = new Map<string, JavaPattern>();

const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
  Punct: '!-\\/:-@\\[-`{-~',
  ASCII: '\\x00-\\x7F',
  L: 'a-zA-Z\\u00C0-\\u024F',
  IsAlphabetic: 'a-zA-Z\\u00C0-\\u024F',
};

function translate(body: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      const n = body[i + 1];
      if (n === 'Q') {
        const end = body.indexOf('\\E', i + 2);
        const quoted = body.slice(i + 2, end < 0 ? body.length : end);
        out += quoted.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? body.length : end + 1;
        continue;
      }
      if (n === 'A' && !inClass) {
        out += '^';
      } else if ((n === 'z' || n === 'Z') && !inClass) {
        out += '$';
      } else if ((n === 'p' || n === 'P') && body[i + 2] === '{') {
        const close = body.indexOf('}', i + 3);
        const range = close < 0 ? undefined : POSIX[body.slice(i + 3, close)];
        if (range === undefined) throw new Error(`the class \\${n}${body.slice(i + 2, close + 1)} is not supported`);
        out += inClass ? range : `[${n === 'P' ? '^' : ''}${range}]`;
        i = close;
        continue;
      } else {
        out += c + (n ?? '');
      }
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (!inClass && c === '(' && body[i + 1] === '?' && body[i + 2] === '>')
      throw new Error('atomic groups (?>...) are not supported');
    out += c;
  }
  // JavaScript accepts the syntax check below for everything we emit except possessive quantifiers.
  new RegExp(out);
  return out;
}

/**
 * A compiled pattern from the bounded process-wide cache (patterns are compiled once per distinct text). Throws an
 * `ElEvaluationError` for an invalid pattern.
 */
export function javaPattern(pattern: string): JavaPattern {
  let compiled = cache.get(pattern);
  if (compiled !== undefined) return compiled;
  try {
    compiled = JavaPattern.compile(pattern);
  } catch (e) {
    throw evalError('EL_INVALID_ARGUMENT', `Invalid regular expression '${pattern}': ${(e as Error).message}`);
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(pattern, compiled);
  return compiled;
}

/** A pattern argument: a pattern compiled at compile time, or a string compiled (and cached) now. */
export function toPattern(arg: unknown, what: string): JavaPattern {
  if (arg instanceof JavaPattern) return arg;
  if (typeof arg === 'string') return javaPattern(arg);
  throw evalError('EL_TYPE_ERROR', `${what} expects a regular expression string`);
}

/**
 * Java's `Matcher.replaceAll` replacement syntax: `$1`/`${name}` insert a group, `\x` inserts `x` literally. Returns
 * a replacer function so JavaScript's own `$` patterns never apply.
 */
export function javaReplacer(replacement: string): (match: string, ...rest: unknown[]) => string {
  if (!replacement.includes('$') && !replacement.includes('\\')) return () => replacement;
  const parts: (string | number)[] = [];
  let text = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '\\') {
      if (i + 1 >= replacement.length) throw evalError('EL_INVALID_ARGUMENT', 'character to be escaped is missing');
      text += replacement[++i];
    } else if (c === '$') {
      const named = /^\{([a-zA-Z][a-zA-Z0-9]*)\}/.exec(replacement.slice(i + 1));
      const digits = /^\d+/.exec(replacement.slice(i + 1));
      if (named === null && digits === null)
        throw evalError('EL_INVALID_ARGUMENT', `Illegal group reference in '${replacement}'`);
      parts.push(text);
      text = '';
      if (named !== null) {
        parts.push(`name:${named[1]}`);
        i += named[0].length;
      } else {
        parts.push(Number(digits![0]));
        i += digits![0].length;
      }
    } else text += c;
  }
  parts.push(text);
  return (match, ...rest) => {
    const last = rest[rest.length - 1];
    const hasGroups = typeof last === 'object' && last !== null;
    const groups = hasGroups ? (last as Record<string, string | undefined>) : {};
    const groupCount = rest.length - (hasGroups ? 3 : 2);
    let out = '';
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      if (k % 2 === 0) out += p as string;
      else if (typeof p === 'number') {
        if (p > groupCount) throw evalError('EL_INVALID_ARGUMENT', `No group ${p} in the pattern`);
        out += p === 0 ? match : ((rest[p - 1] as string | undefined) ?? '');
      } else {
        const name = (p as string).slice(5);
        if (!Object.hasOwn(groups, name))
          throw evalError('EL_INVALID_ARGUMENT', `No group named '${name}' in the pattern`);
        out += groups[name] ?? '';
      }
    }
    return out;
  };
}
