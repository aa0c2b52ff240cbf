import type { PolicyInstance } from '@apim/core';
import { bodyPhases, replaceBody } from '../common/body-transform.js';
import type { JsonXmlConfig } from './schema.js';

/** Gravitee's error key for a body that is not a JSON object. */
export const JSON_INVALID_PAYLOAD = 'JSON_INVALID_PAYLOAD';
/** Nesting deeper than this is refused (Gravitee's default `policy.json-xml.maxdepth`). */
export const MAX_DEPTH = 100;

const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** A JSON key as an XML name: characters outside the XML name set become `_`; a bad first character gets a `_` prefix. */
export function xmlName(key: string): string {
  const name = key.replace(/[^-A-Za-z0-9_.:\u00B7-\uFFFF]/g, '_');
  return /^[A-Za-z_:\u00C0-\uFFFF]/.test(name) ? name : `_${name}`;
}

function element(name: string, value: unknown, depth: number): string {
  if (Array.isArray(value))
    return value
      .map((v) => (Array.isArray(v) ? element(name, { array: v }, depth + 1) : element(name, v, depth + 1)))
      .join('');
  const tag = xmlName(name);
  return `<${tag}>${content(value, depth + 1)}</${tag}>`;
}

function content(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new Error(`JSON nested deeper than ${MAX_DEPTH} levels`);
  if (typeof value !== 'object' || value === null) return escapeXml(String(value));
  let out = '';
  for (const [key, v] of Object.entries(value)) {
    // org.json's convention, as Gravitee: a `content` key is the element's text.
    if (key === 'content' && (typeof v !== 'object' || v === null)) out += escapeXml(String(v));
    else out += element(key, v, depth);
  }
  return out;
}

/**
 * Converts a JSON object to XML the way Gravitee's json-xml (org.json `XML.toString`) does: keys become elements,
 * arrays repeat their element, `null` is the text `null`, a `content` key is text; no XML declaration.
 *
 * @example jsonToXml('{"a":[1,2],"b":{"c":"x"}}', 'root'); // '<root><a>1</a><a>2</a><b><c>x</c></b></root>'
 */
export function jsonToXml(json: string, rootElement: string): string {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('the payload must be a JSON object');
  return element(rootElement, value, 0);
}

/**
 * Converts the body from JSON to XML. A body that is not a JSON object interrupts with `JSON_INVALID_PAYLOAD`:
 * 400 on the request, 500 on the response, as Gravitee.
 */
export function createJsonXml(config: Readonly<JsonXmlConfig>): PolicyInstance {
  return bodyPhases(config.scope, async (exec, message) => {
    let xml: string;
    try {
      xml = jsonToXml((await message.body()).toString('utf8'), config.rootElement);
    } catch {
      return exec.interrupt({
        status: message === exec.request ? 400 : 500,
        key: JSON_INVALID_PAYLOAD,
        message: 'Unable to transform invalid JSON payload to XML',
      });
    }
    replaceBody(message, xml, 'application/xml', true);
  });
}
