import { definePolicy } from '@apim/core';
import wrapInOrder from './examples/wrap-in-order.json' with { type: 'json' };
import { createJsonXml } from './json-xml.js';
import { JsonXmlSchema } from './schema.js';

/** `json-xml`: converts a JSON body to XML. */
export const jsonXmlPolicy = definePolicy({
  id: 'json-xml',
  version: '1.0.0',
  name: 'JSON to XML transformation',
  description:
    'Converts a JSON object body to XML under `rootElement` (keys become elements, arrays repeat their element, a `content` key becomes text, invalid name characters become `_`) and sets Content-Type to application/xml. A body that is not a JSON object (or nests deeper than 100 levels) interrupts with `JSON_INVALID_PAYLOAD`: 400 on the request, 500 on the response.',
  category: 'transformation',
  phases: ['request', 'response'],
  needsBody: { request: true, response: true },
  schema: JsonXmlSchema,
  examples: [wrapInOrder],
  create: createJsonXml,
});
