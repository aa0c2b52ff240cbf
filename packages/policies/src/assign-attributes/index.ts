import { definePolicy } from '@apim/core';
import { createAssignAttributes } from './assign-attributes.js';
import fromRequest from './examples/from-request.json' with { type: 'json' };
import { AssignAttributesSchema } from './schema.js';

/** `assign-attributes`: sets context attributes from EL templates. */
export const assignAttributesPolicy = definePolicy({
  id: 'assign-attributes',
  version: '1.0.0',
  name: 'Assign attributes',
  description:
    "Sets attributes of the exchange from EL templates, for later policies, conditions and templates (#context.attributes['name']).",
  category: 'transformation',
  phases: ['request', 'response'],
  schema: AssignAttributesSchema,
  examples: [fromRequest],
  create: createAssignAttributes,
});
