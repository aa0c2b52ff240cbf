import { definePolicy } from '@apim/core';
import addDefault from './examples/add-default.json' with { type: 'json' };
import reshape from './examples/reshape.json' with { type: 'json' };
import { createJsonToJson } from './json-to-json.js';
import { JsonToJsonSchema } from './schema.js';

/** `json-to-json`: rewrites a JSON body with a JOLT specification. */
export const jsonToJsonPolicy = definePolicy({
  id: 'json-to-json',
  version: '1.0.0',
  name: 'JSON to JSON transformation',
  description:
    'Transforms the JSON body of the request or the response with a JOLT chain (shift with `*`, `&n`, `@`, `$`, `#` and array outputs; default; remove; sort; cardinality; modify-overwrite-beta and modify-default-beta with toUpper, toLower, trim, toString, toInteger, toLong, toDouble, toBoolean, concat, join, size). The specification is compiled at deploy time and is not an EL template (Gravitee evaluates EL in it per request). A body that is not JSON interrupts with 500 `INVALID_JSON_TRANSFORMATION`.',
  category: 'transformation',
  phases: ['request', 'response'],
  needsBody: { request: true, response: true },
  schema: JsonToJsonSchema,
  examples: [addDefault, reshape],
  create: createJsonToJson,
});
