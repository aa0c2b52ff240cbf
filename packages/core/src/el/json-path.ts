/**
 * JSONPath, the subset of Jayway JsonPath that Gravitee users write (Jayway is what Gravitee's `#jsonPath` calls):
 * `$`, `.name`, `['name']`, `["a","b"]`, `[0]`, `[-1]`, `[0,2]`, `[start:end:step]`, `*`, `..` (deep scan), filters
 * `[?(@.price < 10 && @.category == 'fiction')]` with `== != < <= > >= =~ in nin`, `!`, `&&`, `||`, existence
 * `[?(@.isbn)]`, and a trailing function: `length() size() min() max() avg() sum() keys() first() last()`.
 */

export type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start: number | undefined; end: number | undefined; step: number }
  | { kind: 'filter'; filter: Filter };

export interface Segment {
  descendant: boolean;
  selectors: Selector[];
}

export type Operand =
  | { kind: 'literal'; value: unknown }
  | { kind: 'path'; root: '@' | '$'; segments: Segment[] }
  | { kind: 'regex'; pattern: string; ignoreCase: boolean };

export type Filter =
  | { kind: 'or' | 'and'; left: Filter; right: Filter }
  | { kind: 'not'; operand: Filter }
  | { kind: 'compare'; op: string; left: Operand; right: Operand }
  | { kind: 'exists'; operand: Operand };

export const JSON_PATH_FUNCTIONS = ['length', 'size', 'min', 'max', 'avg', 'sum', 'keys', 'first', 'last'] as const;
export type JsonPathFunction = (typeof JSON_PATH_FUNCTIONS)[number];

export interface JsonPath {
  source: string;
  segments: Segment[];
  /** A definite path (names and single indexes only) yields one value; others yield a list. */
  definite: boolean;
  fn: JsonPathFunction | undefined;
}

/** A syntax error in a JSONPath, at an offset of the path text. */
export class JsonPathSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const COMPARISONS = ['==', '!=', '<=', '>=', '<', '>', '=~', ' in ', ' nin '];
const NAME = /^[^\s.[\]()=!<>&|,'"~*]+/;
const MAX_PATH_LENGTH = 10_000;

/**
 * Parses a JSONPath; throws `JsonPathSyntaxError`.
 *
 * @example
 * parseJsonPath("$.store.book[?(@.price < 10)].title").definite; // false
 */
export function parseJsonPath(source: string): JsonPath {
  if (source.length > MAX_PATH_LENGTH) throw new JsonPathSyntaxError('the path is too long', 0);
  const p = new PathParser(source);
  return p.parse();
}

class PathParser {
  i = 0;
  depth = 0;
  constructor(readonly src: string) {}

  fail(message: string, at = this.i): never {
    throw new JsonPathSyntaxError(message, at);
  }

  ws(): void {
    while (this.src[this.i] === ' ') this.i++;
  }

  eat(text: string): boolean {
    if (this.src.startsWith(text, this.i)) {
      this.i += text.length;
      return true;
    }
    return false;
  }

  parse(): JsonPath {
    this.ws();
    if (!this.eat('$')) this.fail("a JSONPath starts with '$'");
    const segments = this.segments();
    let fn: JsonPathFunction | undefined;
    const last = segments[segments.length - 1];
    const lastSelector = last?.selectors.length === 1 ? last.selectors[0] : undefined;
    if (this.eat('()')) {
      if (lastSelector?.kind !== 'name' || !(JSON_PATH_FUNCTIONS as readonly string[]).includes(lastSelector.name))
        this.fail('unknown function', this.i - 2);
      fn = lastSelector.name as JsonPathFunction;
      segments.pop();
    }
    this.ws();
    if (this.i < this.src.length) this.fail(`unexpected '${this.src[this.i]}'`);
    const definite = segments.every(
      (s) =>
        !s.descendant &&
        s.selectors.length === 1 &&
        (s.selectors[0]!.kind === 'name' || s.selectors[0]!.kind === 'index'),
    );
    return { source: this.src, segments, definite, fn };
  }

  segments(): Segment[] {
    const segments: Segment[] = [];
    for (;;) {
      if (this.eat('..')) {
        if (this.src[this.i] === '[') {
          this.i++;
          segments.push({ descendant: true, selectors: this.bracket() });
        } else segments.push({ descendant: true, selectors: [this.dotSelector()] });
      } else if (this.eat('.')) segments.push({ descendant: false, selectors: [this.dotSelector()] });
      else if (this.eat('[')) segments.push({ descendant: false, selectors: this.bracket() });
      else return segments;
    }
  }

  dotSelector(): Selector {
    if (this.eat('*')) return { kind: 'wildcard' };
    const m = NAME.exec(this.src.slice(this.i));
    if (m === null) this.fail('expected a property name');
    this.i += m[0].length;
    return { kind: 'name', name: m[0] };
  }

  /** After `[`: selectors separated by commas, up to `]`. */
  bracket(): Selector[] {
    const selectors: Selector[] = [];
    for (;;) {
      this.ws();
      selectors.push(this.selector());
      this.ws();
      if (this.eat(']')) return selectors;
      if (!this.eat(',')) this.fail("expected ',' or ']'");
    }
  }

  selector(): Selector {
    const c = this.src[this.i];
    if (c === "'" || c === '"') return { kind: 'name', name: this.string() };
    if (this.eat('*')) return { kind: 'wildcard' };
    if (c === '?') {
      this.i++;
      this.ws();
      const paren = this.eat('(');
      const filter = this.filter();
      this.ws();
      if (paren && !this.eat(')')) this.fail("expected ')' to close the filter");
      return { kind: 'filter', filter };
    }
    const start = this.int();
    this.ws();
    if (this.src[this.i] !== ':') {
      if (start === undefined) this.fail('expected a name, an index, a slice, * or a filter');
      return { kind: 'index', index: start };
    }
    this.i++;
    const end = this.int();
    let step = 1;
    if (this.eat(':')) step = this.int() ?? 1;
    if (step === 0) this.fail('a slice step cannot be 0');
    return { kind: 'slice', start, end, step };
  }

  int(): number | undefined {
    this.ws();
    const m = /^-?\d+/.exec(this.src.slice(this.i));
    if (m === null) return undefined;
    this.i += m[0].length;
    return Number(m[0]);
  }

  string(): string {
    const quote = this.src[this.i]!;
    const start = this.i++;
    let out = '';
    while (this.i < this.src.length && this.src[this.i] !== quote) {
      if (this.src[this.i] === '\\' && this.i + 1 < this.src.length) this.i++;
      out += this.src[this.i++];
    }
    if (!this.eat(quote)) this.fail('unterminated string', start);
    return out;
  }

  filter(): Filter {
    if (++this.depth > 64) this.fail('the filter is nested too deeply');
    let left = this.and();
    for (this.ws(); this.eat('||'); this.ws()) left = { kind: 'or', left, right: this.and() };
    this.depth--;
    return left;
  }

  and(): Filter {
    let left = this.unary();
    for (this.ws(); this.eat('&&'); this.ws()) left = { kind: 'and', left, right: this.unary() };
    return left;
  }

  unary(): Filter {
    this.ws();
    if (this.eat('!')) return { kind: 'not', operand: this.unary() };
    if (this.eat('(')) {
      const inner = this.filter();
      this.ws();
      if (!this.eat(')')) this.fail("expected ')'");
      return inner;
    }
    const left = this.operand();
    this.ws();
    const op = COMPARISONS.find((o) => this.src.startsWith(o, this.i) || this.src.startsWith(o.trim(), this.i));
    if (op === undefined) return { kind: 'exists', operand: left };
    this.i += this.src.startsWith(op, this.i) ? op.length : op.trim().length;
    return { kind: 'compare', op: op.trim(), left, right: this.operand() };
  }

  operand(): Operand {
    this.ws();
    const c = this.src[this.i];
    if (c === '@' || c === '$') {
      this.i++;
      return { kind: 'path', root: c, segments: this.segments() };
    }
    if (c === "'" || c === '"') return { kind: 'literal', value: this.string() };
    if (c === '/') {
      const end = this.src.indexOf('/', this.i + 1);
      if (end < 0) this.fail('unterminated regular expression');
      const pattern = this.src.slice(this.i + 1, end);
      this.i = end + 1;
      const ignoreCase = this.eat('i');
      return { kind: 'regex', pattern, ignoreCase };
    }
    if (c === '[') {
      this.i++;
      const values: unknown[] = [];
      for (this.ws(); !this.eat(']'); this.ws()) {
        const item = this.operand();
        if (item.kind !== 'literal') this.fail('a list holds literals only');
        values.push(item.value);
        this.ws();
        this.eat(',');
      }
      return { kind: 'literal', value: values };
    }
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.src.slice(this.i));
    if (m === null) this.fail('expected a value, @ or $');
    this.i += m[0].length;
    return { kind: 'literal', value: JSON.parse(m[0]) };
  }
}
