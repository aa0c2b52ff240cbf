import { definePolicy } from '@apim/core';
import readOnly from './examples/read-only.json' with { type: 'json' };
import { createResourceFiltering } from './resource-filtering.js';
import { ResourceFilteringSchema } from './schema.js';

/** `resource-filtering`: allows or refuses paths and methods. */
export const resourceFilteringPolicy = definePolicy({
  id: 'resource-filtering',
  version: '1.0.0',
  name: 'Resource filtering',
  description:
    'Allows (whitelist) or refuses (blacklist) resources by ant-style path pattern and method: 403 RESOURCE_FILTERING_FORBIDDEN or 405 RESOURCE_FILTERING_METHOD_NOT_ALLOWED.',
  category: 'security',
  phases: ['request'],
  schema: ResourceFilteringSchema,
  examples: [readOnly],
  create: createResourceFiltering,
});
