import { definePolicy } from '@apim/core';
import { createDynamicRouting } from './dynamic-routing.js';
import byVersion from './examples/by-version.json' with { type: 'json' };
import { DynamicRoutingSchema } from './schema.js';

/** `dynamic-routing`: routes a request to a target computed from its path. */
export const dynamicRoutingPolicy = definePolicy({
  id: 'dynamic-routing',
  version: '1.0.0',
  name: 'Dynamic routing',
  description:
    "Routes the request to a target computed from its path: the first rule whose regular expression matches the whole path below the context path (URL-decoded) sets the `gravitee.attribute.request.endpoint` attribute to its url template, which reads the groups as `#group[0]` and `#groupName['name']`. The attribute holds an absolute URL (called as it is) or an endpoint reference `name:/path`; the gateway honours it. Patterns are JavaScript regular expressions compiled at deploy time (Gravitee evaluates EL in them per request; here they are plain). No matching rule interrupts with 400 `DYNAMIC_ROUTING_NO_MATCHING_RULE`.",
  category: 'others',
  phases: ['request'],
  schema: DynamicRoutingSchema,
  examples: [byVersion],
  create: createDynamicRouting,
});
