import { definePolicy } from '@apim/core';
import addAndRemove from './examples/add-and-remove.json' with { type: 'json' };
import whitelist from './examples/whitelist.json' with { type: 'json' };
import { TransformHeadersSchema } from './schema.js';
import { createTransformHeaders } from './transform-headers.js';

/** `transform-headers`: adds, replaces, filters and removes headers. */
export const transformHeadersPolicy = definePolicy({
  id: 'transform-headers',
  version: '1.0.0',
  name: 'Transform headers',
  description:
    'Adds or updates headers (values are EL templates), keeps only a whitelist, and removes headers, on the request or on the response depending on where the step is placed.',
  category: 'transformation',
  phases: ['request', 'response'],
  schema: TransformHeadersSchema,
  examples: [addAndRemove, whitelist],
  create: createTransformHeaders,
});
