/**
 * A small, strict XML parser for `#xpath` and `#request.xmlContent`: elements, attributes, text, CDATA, comments,
 * processing instructions, the five predefined entities and character references. DOCTYPE declarations are refused,
 * so there is no entity expansion and no external resource, by construction.
 */

export interface XmlElement {
  kind: 'element';
  name: string;
  localName: string;
  attributes: XmlAttribute[];
  children: (XmlElement | XmlText)[];
  parent: XmlElement | XmlDocument;
}

export interface XmlAttribute {
  kind: 'attribute';
  name: string;
  localName: string;
  value: string;
  parent: XmlElement;
}

export interface XmlText {
  kind: 'text';
  value: string;
  parent: XmlElement;
}

export interface XmlDocument {
  kind: 'document';
  root: XmlElement;
}

export type XmlNode = XmlDocument | XmlElement | XmlAttribute | XmlText;

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

const NAME = /[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_:.\u00B7-\uFFFF]*/y;
const MAX_DEPTH = 256;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const localNameOf = (name: string) => name.slice(name.indexOf(':') + 1);

/**
 * Parses an XML document; throws `XmlSyntaxError`.
 *
 * @example
 * parseXml('<a x="1"><b>text</b></a>').root.children[0]; // the <b> element
 */
export function parseXml(text: string): XmlDocument {
  const doc = { kind: 'document' } as XmlDocument;
  const stack: XmlElement[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (message: string, at = i): never => {
    throw new XmlSyntaxError(message, at);
  };
  const skipTo = (end: string, what: string) => {
    const at = text.indexOf(end, i);
    if (at < 0) fail(`unterminated ${what}`);
    const content = text.slice(i, at);
    i = at + end.length;
    return content;
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (m === null) return fail('expected a name');
    i += m[0].length;
    return m[0];
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const addText = (value: string) => {
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      if (value.trim() !== '') fail('text outside the root element');
      return;
    }
    const last = parent.children[parent.children.length - 1];
    if (last?.kind === 'text') last.value += value;
    else parent.children.push({ kind: 'text', value, parent });
  };
  while (i < text.length) {
    if (text.startsWith('<?', i)) {
      i += 2;
      skipTo('?>', 'processing instruction');
    } else if (text.startsWith('<!--', i)) {
      i += 4;
      skipTo('-->', 'comment');
    } else if (text.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) fail('CDATA outside the root element');
      i += 9;
      addText(skipTo(']]>', 'CDATA section'));
    } else if (text.startsWith('<!', i)) {
      fail('DOCTYPE and other declarations are not allowed');
    } else if (text.startsWith('</', i)) {
      i += 2;
      const at = i;
      const closing = name();
      ws();
      if (text[i] !== '>') fail("expected '>'");
      i++;
      const open = stack.pop();
      if (open === undefined || open.name !== closing) fail(`unexpected closing tag </${closing}>`, at);
    } else if (text[i] === '<') {
      i++;
      const element = startTag(stack[stack.length - 1] ?? doc);
      if (stack.length === 0) {
        if (doc.root !== undefined) fail('more than one root element');
        doc.root = element.el;
      } else stack[stack.length - 1]!.children.push(element.el);
      if (!element.selfClosing) {
        if (stack.length >= MAX_DEPTH) fail(`elements are nested more than ${MAX_DEPTH} levels deep`);
        stack.push(element.el);
      }
    } else {
      const end = text.indexOf('<', i);
      const raw = text.slice(i, end < 0 ? text.length : end);
      addText(decode(raw, i, fail));
      i += raw.length;
    }
  }
  if (stack.length > 0) fail(`unclosed element <${stack[stack.length - 1]!.name}>`);
  if (doc.root === undefined) fail('no root element');
  return doc;

  function startTag(parent: XmlElement | XmlDocument): { el: XmlElement; selfClosing: boolean } {
    const tag = name();
    const el: XmlElement = {
      kind: 'element',
      name: tag,
      localName: localNameOf(tag),
      attributes: [],
      children: [],
      parent,
    };
    for (;;) {
      const before = i;
      ws();
      if (text.startsWith('/>', i)) {
        i += 2;
        return { el, selfClosing: true };
      }
      if (text[i] === '>') {
        i++;
        return { el, selfClosing: false };
      }
      if (i === before) fail("expected whitespace, '>' or '/>'");
      const attr = name();
      ws();
      if (text[i] !== '=') fail("expected '=' after an attribute name");
      i++;
      ws();
      const quote = text[i];
      if (quote !== '"' && quote !== "'") fail('expected a quoted attribute value');
      i++;
      const start = i;
      const raw = skipTo(quote!, 'attribute value');
      if (raw.includes('<')) fail("'<' in an attribute value", start);
      if (el.attributes.some((a) => a.name === attr)) fail(`duplicate attribute '${attr}'`, start);
      el.attributes.push({
        kind: 'attribute',
        name: attr,
        localName: localNameOf(attr),
        value: decode(raw, start, fail),
        parent: el,
      });
    }
  }
}

function decode(raw: string, offset: number, fail: (message: string, at: number) => never): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (all, ref: string, at: number) => {
    if (!all.endsWith(';')) return fail("'&' must start an entity reference", offset + at);
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!Number.isInteger(code) || code < 1 || code > 0x10ffff)
        return fail(`invalid character reference &${ref};`, offset + at);
      return String.fromCodePoint(code);
    }
    const value = Object.hasOwn(ENTITIES, ref) ? ENTITIES[ref] : undefined;
    return value ?? fail(`unknown entity &${ref};`, offset + at);
  });
}

/** The XPath string-value of a node: the text it contains. */
export function stringValue(node: XmlNode): string {
  switch (node.kind) {
    case 'document':
      return stringValue(node.root);
    case 'attribute':
    case 'text':
      return node.value;
    case 'element': {
      let out = '';
      for (const child of node.children) out += stringValue(child);
      return out;
    }
  }
}

/**
 * A document as nested maps, for `#request.xmlContent.root.child`: an element with neither attributes nor child
 * elements is its text; otherwise a map of attributes and child elements (repeated names become lists), with
 * mixed text under the key `""`. The root element is the single key of the top map.
 */
export function xmlToValue(doc: XmlDocument): Record<string, unknown> {
  const top: Record<string, unknown> = Object.create(null);
  top[doc.root.name] = elementValue(doc.root);
  return top;
}

function elementValue(el: XmlElement): unknown {
  const elements = el.children.filter((c): c is XmlElement => c.kind === 'element');
  const text = el.children.map((c) => (c.kind === 'text' ? c.value : '')).join('');
  if (elements.length === 0 && el.attributes.length === 0) return text;
  const out: Record<string, unknown> = Object.create(null);
  for (const a of el.attributes) out[a.name] = a.value;
  for (const child of elements) {
    const value = elementValue(child);
    if (!Object.hasOwn(out, child.name)) out[child.name] = value;
    else if (Array.isArray(out[child.name])) (out[child.name] as unknown[]).push(value);
    else out[child.name] = [out[child.name], value];
  }
  if (text.trim() !== '') out[''] = text;
  return out;
}
