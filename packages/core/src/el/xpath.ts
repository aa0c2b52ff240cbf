import { stringValue, type XmlDocument, type XmlElement, type XmlNode } from './xml.js';

/**
 * An XPath 1.0 subset for `#xpath`: absolute and relative location paths with abbreviated steps (`/a/b`, `//b`,
 * `.//b`, `.`, `..`, `*`, `@attr`, `@*`, `text()`, `node()`), predicates (`[2]`, `[last()]`, `[@id='7']`,
 * `[name='x' and @type!='y']`, `[contains(., 'x')]`, `[starts-with(@a, 'x')]`, `[not(@a)]`, `[position() < 3]`), and
 * the wrapping functions `count() string() number() boolean() normalize-space() name() local-name()`.
 * An unprefixed name matches elements by local name, whatever their namespace; a prefixed name matches the prefix
 * as written in the document (no namespace resolution).
 */

type Step =
  | { axis: 'self' | 'parent' }
  | { axis: 'child' | 'attribute'; test: string; predicates: Expr[] }
  | { axis: 'text' | 'node'; predicates: Expr[] };

interface LocationPath {
  absolute: boolean;
  /** A step preceded by `//` is applied to every descendant-or-self of the context. */
  steps: { step: Step; deep: boolean }[];
}

type Expr =
  | { kind: 'path'; path: LocationPath }
  | { kind: 'literal'; value: string | number }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

type Value = XmlNode[] | string | number | boolean;

export interface XPath {
  source: string;
  expr: Expr;
}

export class XPathSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const FUNCTIONS: Record<string, [number, number]> = {
  count: [1, 1],
  string: [0, 1],
  number: [0, 1],
  boolean: [1, 1],
  'normalize-space': [0, 1],
  name: [0, 1],
  'local-name': [0, 1],
  not: [1, 1],
  contains: [2, 2],
  'starts-with': [2, 2],
  last: [0, 0],
  position: [0, 0],
};

const TOKEN =
  /\s*(\/\/|\/|\.\.|\.|@|\[|\]|\(|\)|,|!=|<=|>=|=|<|>|\*|'[^']*'|"[^"]*"|\d+(\.\d+)?|[A-Za-z_][-A-Za-z0-9_.]*(:(\*|[A-Za-z_][-A-Za-z0-9_.]*))?)/y;

/**
 * Parses an XPath of the supported subset; throws `XPathSyntaxError`.
 *
 * @example
 * parseXPath("/order/item[@sku='42']/price/text()");
 */
export function parseXPath(source: string): XPath {
  const tokens: { text: string; at: number }[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (m === null) {
      if (source.slice(at).trim() === '') break;
      throw new XPathSyntaxError(`unexpected '${source.slice(at).trim()[0]}'`, at);
    }
    tokens.push({ text: m[1]!, at: at + m[0].length - m[1]!.length });
  }
  let k = 0;
  const peek = () => tokens[k]?.text;
  const fail = (message: string): never => {
    throw new XPathSyntaxError(message, tokens[k]?.at ?? source.length);
  };
  const expect = (text: string) => (peek() === text ? k++ : fail(`expected '${text}'`));

  const orExpr = (): Expr => binary(andExpr, ['or']);
  const andExpr = (): Expr => binary(compare, ['and']);
  const compare = (): Expr => binary(primary, ['=', '!=', '<', '<=', '>', '>=']);
  function binary(next: () => Expr, ops: string[]): Expr {
    let left = next();
    while (ops.includes(peek() ?? '')) {
      const op = tokens[k++]!.text;
      left = { kind: 'binary', op, left, right: next() };
    }
    return left;
  }
  function primary(): Expr {
    const t = peek();
    if (t === undefined) return fail('unexpected end of the path');
    if (t.startsWith("'") || t.startsWith('"')) {
      k++;
      return { kind: 'literal', value: t.slice(1, -1) };
    }
    if (/^\d/.test(t)) {
      k++;
      return { kind: 'literal', value: Number(t) };
    }
    if (t === '(') {
      k++;
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if (Object.hasOwn(FUNCTIONS, t) && tokens[k + 1]?.text === '(') {
      k += 2;
      const args: Expr[] = [];
      while (peek() !== ')') {
        args.push(orExpr());
        if (peek() === ',') k++;
        else break;
      }
      expect(')');
      const [min, max] = FUNCTIONS[t]!;
      if (args.length < min || args.length > max)
        fail(`${t}() takes ${min === max ? min : `${min} to ${max}`} arguments`);
      return { kind: 'call', name: t, args };
    }
    return { kind: 'path', path: locationPath() };
  }
  function locationPath(): LocationPath {
    const path: LocationPath = { absolute: false, steps: [] };
    let deep = false;
    if (peek() === '/' || peek() === '//') {
      path.absolute = true;
      deep = tokens[k++]!.text === '//';
      if (!deep && !startsStep(peek())) return path;
    }
    for (;;) {
      path.steps.push({ step: step(), deep });
      if (peek() !== '/' && peek() !== '//') return path;
      deep = tokens[k++]!.text === '//';
    }
  }
  function startsStep(t: string | undefined): boolean {
    return t !== undefined && (t === '.' || t === '..' || t === '@' || t === '*' || /^[A-Za-z_]/.test(t));
  }
  function step(): Step {
    const t = peek();
    if (t === '.' || t === '..') {
      k++;
      return { axis: t === '.' ? 'self' : 'parent' };
    }
    let axis: 'child' | 'attribute' = 'child';
    if (t === '@') {
      k++;
      axis = 'attribute';
    }
    const name = peek();
    if (name === undefined || !(name === '*' || /^[A-Za-z_]/.test(name))) return fail('expected a step');
    k++;
    if ((name === 'text' || name === 'node') && peek() === '(' && axis === 'child') {
      k++;
      expect(')');
      return { axis: name, predicates: predicates() };
    }
    return { axis, test: name, predicates: predicates() };
  }
  function predicates(): Expr[] {
    const out: Expr[] = [];
    while (peek() === '[') {
      k++;
      out.push(orExpr());
      expect(']');
    }
    return out;
  }

  const expr = orExpr();
  if (k < tokens.length) fail(`unexpected '${peek()}'`);
  return { source, expr };
}

/** Evaluates `xpath` on `doc`; `charge` receives the number of nodes visited. */
export function evaluateXPath(xpath: XPath, doc: XmlDocument, charge: (n: number) => void): Value {
  const evalExpr = (e: Expr, node: XmlNode, position: number, size: number): Value => {
    switch (e.kind) {
      case 'literal':
        return e.value;
      case 'path':
        return evalPath(e.path, node);
      case 'binary':
        return binaryOp(
          e.op,
          () => evalExpr(e.left, node, position, size),
          () => evalExpr(e.right, node, position, size),
        );
      case 'call': {
        const args = e.args.map((a) => evalExpr(a, node, position, size));
        return call(e.name, args, node, position, size);
      }
    }
  };

  const evalPath = (path: LocationPath, context: XmlNode): XmlNode[] => {
    let nodes: XmlNode[] = [path.absolute ? doc : context];
    for (const { step, deep } of path.steps) {
      const next = new Set<XmlNode>();
      for (const n of nodes) {
        for (const origin of deep ? descendantsOrSelf(n) : [n]) {
          const selected = axis(step, origin);
          charge(selected.length + 1);
          const predicates = 'predicates' in step ? step.predicates : [];
          let kept = selected;
          for (const p of predicates)
            kept = kept.filter((candidate, i) => predicate(evalExpr(p, candidate, i + 1, kept.length), i + 1));
          for (const s of kept) next.add(s);
        }
      }
      nodes = [...next];
    }
    return nodes;
  };

  const descendantsOrSelf = (n: XmlNode): XmlNode[] => {
    const out: XmlNode[] = [];
    const stack: XmlNode[] = [n];
    while (stack.length > 0) {
      const x = stack.pop()!;
      out.push(x);
      const children = x.kind === 'document' ? [x.root] : x.kind === 'element' ? x.children : [];
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
    charge(out.length);
    return out;
  };

  return evalExpr(xpath.expr, doc, 1, 1);
}

function axis(step: Step, n: XmlNode): XmlNode[] {
  const children = n.kind === 'document' ? [n.root] : n.kind === 'element' ? n.children : [];
  switch (step.axis) {
    case 'self':
      return [n];
    case 'parent':
      return n.kind === 'document' ? [] : [n.parent];
    case 'text':
      return children.filter((c) => c.kind === 'text');
    case 'node':
      return children;
    case 'attribute':
      return n.kind === 'element' ? n.attributes.filter((a) => matches(step.test, a.name, a.localName)) : [];
    case 'child':
      return children.filter((c): c is XmlElement => c.kind === 'element' && matches(step.test, c.name, c.localName));
  }
}

function matches(test: string, name: string, localName: string): boolean {
  if (test === '*') return true;
  if (test.endsWith(':*')) return name.startsWith(test.slice(0, -1));
  return test.includes(':') ? test === name : test === localName;
}

function predicate(v: Value, position: number): boolean {
  return typeof v === 'number' ? v === position : toBoolean(v);
}

export function toBoolean(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  return v;
}

export function toText(v: Value): string {
  if (Array.isArray(v)) return v.length === 0 ? '' : stringValue(v[0]!);
  return String(v);
}

export function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const t = toText(v).trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(t) ? Number(t) : Number.NaN;
}

function binaryOp(op: string, left: () => Value, right: () => Value): Value {
  if (op === 'or') return toBoolean(left()) || toBoolean(right());
  if (op === 'and') return toBoolean(left()) && toBoolean(right());
  const a = left();
  const b = right();
  const as = Array.isArray(a) ? a.map(stringValue) : [a];
  const bs = Array.isArray(b) ? b.map(stringValue) : [b];
  return as.some((x) => bs.some((y) => compareAtoms(op, x, y)));
}

function compareAtoms(op: string, x: string | number | boolean, y: string | number | boolean): boolean {
  if (op === '=' || op === '!=') {
    let eq: boolean;
    if (typeof x === 'boolean' || typeof y === 'boolean') eq = toBoolean(x) === toBoolean(y);
    else if (typeof x === 'number' || typeof y === 'number') eq = toNumber(x) === toNumber(y);
    else eq = x === y;
    return op === '=' ? eq : !eq;
  }
  const a = toNumber(x);
  const b = toNumber(y);
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

function call(name: string, args: Value[], node: XmlNode, position: number, size: number): Value {
  const arg = (i: number): Value => args[i] ?? [node];
  switch (name) {
    case 'count':
      return Array.isArray(args[0]) ? args[0].length : 0;
    case 'string':
      return toText(arg(0));
    case 'number':
      return toNumber(arg(0));
    case 'boolean':
      return toBoolean(arg(0));
    case 'normalize-space':
      return toText(arg(0)).trim().replace(/\s+/g, ' ');
    case 'name':
    case 'local-name': {
      const first = (arg(0) as XmlNode[])[0];
      if (first === undefined || (first.kind !== 'element' && first.kind !== 'attribute')) return '';
      return name === 'name' ? first.name : first.localName;
    }
    case 'not':
      return !toBoolean(arg(0));
    case 'contains':
      return toText(arg(0)).includes(toText(arg(1)));
    case 'starts-with':
      return toText(arg(0)).startsWith(toText(arg(1)));
    case 'last':
      return size;
    default:
      return position;
  }
}
