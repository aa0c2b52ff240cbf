import { definePolicy } from '@apim/core';
import addAndRemove from './examples/add-and-remove.json' with { type: 'json' };
import { TransformQueryParamsSchema } from './schema.js';
import { createTransformQueryParams } from './transform-queryparams.js';

/** `transform-queryparams`: adds, replaces and removes query parameters. */
export const transformQueryParamsPolicy = definePolicy({
  id: 'transform-queryparams',
  version: '1.0.0',
  name: 'Transform query parameters',
  description:
    'Removes query parameters (or all of them) and adds or updates others (values are EL templates) before the request goes upstream.',
  category: 'transformation',
  phases: ['request'],
  schema: TransformQueryParamsSchema,
  examples: [addAndRemove],
  create: createTransformQueryParams,
});
