import { evalError } from './errors.js';
import { type JsonPath, JsonPathSyntaxError, parseJsonPath } from './json-path.js';
import { evaluateJsonPath } from './json-path-eval.js';
import { charge, checkCollectionSize, checkString, type EvalState } from './state.js';
import { isMapLike, javaToString, typeName } from './values.js';
import { parseXml, stringValue, type XmlDocument, XmlSyntaxError } from './xml.js';
import { evaluateXPath, parseXPath, toBoolean, toNumber, toText, type XPath, XPathSyntaxError } from './xpath.js';

/** A built-in `#function(...)`. */
export interface ElFunction {
  min: number;
  max: number;
  /** The argument that is a path (JSONPath, XPath): parsed once at compile time when it is a literal. */
  pathArg?: { index: number; parse(text: string): PreparedPath };
  call(s: EvalState, args: unknown[]): unknown;
}

/** A path argument parsed ahead of time. */
export class PreparedPath {
  constructor(readonly path: JsonPath | XPath) {}
}

const MAX_CACHED = 256;
const pathCache = new Map<string, PreparedPath>();

function cachedPath(kind: string, text: string, parse: (t: string) => PreparedPath): PreparedPath {
  const key = `${kind}:${text}`;
  let p = pathCache.get(key);
  if (p === undefined) {
    p = parse(text);
    if (pathCache.size >= MAX_CACHED) pathCache.delete(pathCache.keys().next().value!);
    pathCache.set(key, p);
  }
  return p;
}

function pathOf(kind: string, arg: unknown, parse: (t: string) => PreparedPath): PreparedPath {
  if (arg instanceof PreparedPath) return arg;
  if (typeof arg !== 'string')
    throw evalError('EL_TYPE_ERROR', `#${kind}(): the path must be a string, not ${typeName(arg)}`);
  try {
    return cachedPath(kind, arg, parse);
  } catch (e) {
    throw evalError('EL_FUNCTION_ERROR', `#${kind}(): invalid path '${arg}': ${(e as Error).message}`);
  }
}

const parseJson = (text: string) => new PreparedPath(parseJsonPath(text));
const parseX = (text: string) => new PreparedPath(parseXPath(text));

function jsonDocument(s: EvalState, input: unknown): unknown {
  if (typeof input === 'string') {
    if (s.json?.text === input) return s.json.value;
    let value: unknown;
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw evalError('EL_FUNCTION_ERROR', `#jsonPath(): the content is not valid JSON: ${(e as Error).message}`);
    }
    s.json = { text: input, value };
    return value;
  }
  if (Array.isArray(input) || isMapLike(input)) return input;
  throw evalError('EL_FUNCTION_ERROR', `#jsonPath(): expects JSON text or a JSON value, not ${typeName(input)}`);
}

function xmlDocument(s: EvalState, input: unknown): XmlDocument {
  if (typeof input !== 'string')
    throw evalError('EL_FUNCTION_ERROR', `#xpath(): expects XML text, not ${typeName(input)}`);
  if (s.xml?.text === input) return s.xml.value as XmlDocument;
  let doc: XmlDocument;
  try {
    doc = parseXml(input);
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
    throw evalError('EL_FUNCTION_ERROR', `#xpath(): the content is not valid XML: ${e.message}`);
  }
  s.xml = { text: input, value: doc };
  return doc;
}

const XPATH_TYPES = ['string', 'boolean', 'number', 'node', 'node_list'];

/** Gravitee's `EscapeFunctionUtils.normalizeToText`: lists join their elements with a space. */
function normalizeToText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((e) => (e === null || e === undefined ? '' : javaToString(e))).join(' ');
  return javaToString(v);
}

/** Apache Commons `escapeXml10`: the five markup characters, invalid XML 1.0 characters removed. */
export function escapeXml(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing invalid control characters is the point
    /[&<>"']|[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\x7F-\x84\x86-\x9F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (c) => {
      switch (c) {
        case '&':
          return '&amp;';
        case '<':
          return '&lt;';
        case '>':
          return '&gt;';
        case '"':
          return '&quot;';
        case "'":
          return '&apos;';
        default: {
          const code = c.charCodeAt(0);
          return code >= 0x7f && code <= 0x9f ? `&#${code};` : '';
        }
      }
    },
  );
}

/** Apache Commons `escapeJson`: quotes, backslash, slash, control characters, and non-ASCII as `\uXXXX`. */
export function escapeJson(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
  return text.replace(/["\\/\x00-\x1F\x7F-\uFFFF]/g, (c) => {
    switch (c) {
      case '"':
        return '\\"';
      case '\\':
        return '\\\\';
      case '/':
        return '\\/';
      case '\b':
        return '\\b';
      case '\f':
        return '\\f';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    }
  });
}

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML[c]!);

const escaper = (escapeText: (t: string) => string): ElFunction => ({
  min: 1,
  max: 1,
  call: (s, a) => (a[0] === null || a[0] === undefined ? null : checkString(s, escapeText(normalizeToText(a[0])))),
});

/** The functions callable as `#name(...)`. */
export const FUNCTIONS: ReadonlyMap<string, ElFunction> = new Map<string, ElFunction>([
  [
    'jsonPath',
    {
      min: 2,
      max: 2,
      pathArg: { index: 1, parse: parseJson },
      call(s, a) {
        const doc = jsonDocument(s, a[0]);
        const path = pathOf('jsonPath', a[1], parseJson).path as JsonPath;
        const result = evaluateJsonPath(path, doc, (n) => charge(s, n));
        if (Array.isArray(result)) checkCollectionSize(s, result.length);
        return result;
      },
    },
  ],
  [
    'xpath',
    {
      min: 2,
      max: 3,
      pathArg: { index: 1, parse: parseX },
      call(s, a) {
        const type = a.length > 2 ? a[2] : 'string';
        if (typeof type !== 'string' || !XPATH_TYPES.includes(type))
          throw evalError('EL_INVALID_ARGUMENT', `#xpath(): the result type must be one of ${XPATH_TYPES.join(', ')}`);
        const doc = xmlDocument(s, a[0]);
        const value = evaluateXPath(pathOf('xpath', a[1], parseX).path as XPath, doc, (n) => charge(s, n));
        switch (type) {
          case 'boolean':
            return toBoolean(value);
          case 'number':
            return toNumber(value);
          case 'node_list':
            return Array.isArray(value) ? value.map(stringValue) : [toText(value)];
          default:
            return toText(value);
        }
      },
    },
  ],
  ['xmlEscape', escaper(escapeXml)],
  ['jsonEscape', escaper(escapeJson)],
  ['escapeHtml', escaper(escapeHtml)],
]);

/** Turns a path parse failure into a message and an offset in the path text. */
export function pathErrorOffset(e: unknown): { message: string; offset: number } | null {
  if (e instanceof JsonPathSyntaxError || e instanceof XPathSyntaxError)
    return { message: e.message, offset: e.offset };
  return null;
}
