import { type PolicyInstance, parseXml, type XmlElement } from '@apim/core';
import { bodyPhases, replaceBody } from '../common/body-transform.js';
import type { XmlJsonConfig } from './schema.js';

/** The error key for a body that is not well-formed XML (named after json-xml's `JSON_INVALID_PAYLOAD`). */
export const XML_INVALID_PAYLOAD = 'XML_INVALID_PAYLOAD';

/** Text as org.json's `XML.toJSONObject` types it: booleans, null and decimal numbers, else the string. */
function typed(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  if (/^-?(0|[1-9]\d{0,14})(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text);
  return text;
}

function elementValue(el: XmlElement): unknown {
  const children = el.children.filter((c): c is XmlElement => c.kind === 'element');
  const text = el.children
    .map((c) => (c.kind === 'text' ? c.value : ''))
    .join('')
    .trim();
  if (children.length === 0 && el.attributes.length === 0) return text === '' ? '' : typed(text);
  const out: Record<string, unknown> = {};
  const add = (key: string, value: unknown) => {
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  };
  for (const a of el.attributes) add(a.name, typed(a.value));
  for (const child of children) add(child.name, elementValue(child));
  if (text !== '') add('content', typed(text));
  return out;
}

/**
 * Converts XML to JSON as Gravitee's xml-json (org.json `XML.toJSONObject`): the root element is the single key,
 * attributes and child elements become keys, repeated elements a list, mixed text the `content` key, and numbers
 * and booleans are typed. DOCTYPE declarations are refused (no entity expansion, no XXE).
 *
 * @example xmlToJson('<a x="1"><b>t</b><b>2</b></a>'); // '{"a":{"x":1,"b":["t",2]}}'
 */
export function xmlToJson(xml: string): string {
  const doc = parseXml(xml);
  return JSON.stringify({ [doc.root.name]: elementValue(doc.root) });
}

/**
 * Converts the body from XML to JSON. A body that is not well-formed XML (or declares a DOCTYPE) interrupts with
 * `XML_INVALID_PAYLOAD`: 400 on the request, 500 on the response.
 */
export function createXmlJson(config: Readonly<XmlJsonConfig>): PolicyInstance {
  return bodyPhases(config.scope, async (exec, message) => {
    let json: string;
    try {
      json = xmlToJson((await message.body()).toString('utf8'));
    } catch {
      return exec.interrupt({
        status: message === exec.request ? 400 : 500,
        key: XML_INVALID_PAYLOAD,
        message: 'Unable to transform invalid XML payload to JSON',
      });
    }
    replaceBody(message, json, 'application/json', true);
  });
}
