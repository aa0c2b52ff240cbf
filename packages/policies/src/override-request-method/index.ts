import { definePolicy } from '@apim/core';
import postToPut from './examples/post-to-put.json' with { type: 'json' };
import { createOverrideRequestMethod } from './override-request-method.js';
import { OverrideRequestMethodSchema } from './schema.js';

/** `override-request-method`: changes the upstream method. */
export const overrideRequestMethodPolicy = definePolicy({
  id: 'override-request-method',
  version: '1.0.0',
  name: 'Override request method',
  description: 'Sends the request upstream with another HTTP method.',
  category: 'transformation',
  phases: ['request'],
  schema: OverrideRequestMethodSchema,
  examples: [postToPut],
  create: createOverrideRequestMethod,
});
