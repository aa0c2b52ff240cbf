import { definePolicy } from '@apim/core';
import soapResponse from './examples/soap-response.json' with { type: 'json' };
import { XmlJsonSchema } from './schema.js';
import { createXmlJson } from './xml-json.js';

/** `xml-json`: converts an XML body to JSON. */
export const xmlJsonPolicy = definePolicy({
  id: 'xml-json',
  version: '1.0.0',
  name: 'XML to JSON transformation',
  description:
    'Converts an XML body to JSON (the root element is the single key; attributes and child elements become keys, repeated elements a list, mixed text the `content` key; numbers and booleans are typed) and sets Content-Type to application/json. DOCTYPE declarations are refused, so there is no entity expansion and no XXE. A body that is not well-formed XML interrupts with `XML_INVALID_PAYLOAD`: 400 on the request, 500 on the response.',
  category: 'transformation',
  phases: ['request', 'response'],
  needsBody: { request: true, response: true },
  schema: XmlJsonSchema,
  examples: [soapResponse],
  create: createXmlJson,
});
