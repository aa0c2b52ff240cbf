import { definePolicy } from '@apim/core';
import { createAssignContent } from './assign-content.js';
import wrapPayload from './examples/wrap-payload.json' with { type: 'json' };
import { AssignContentSchema } from './schema.js';

/** `assign-content`: replaces the body with an EL template. */
export const assignContentPolicy = definePolicy({
  id: 'assign-content',
  version: '1.0.0',
  name: 'Assign content',
  description:
    'Replaces the request or response body with an EL template evaluated per exchange; the template can read the current body (`#request.content`, `#response.jsonContent`...), headers and attributes. Gravitee writes this template in Freemarker: here it is an EL template, so Freemarker directives (`<#list>`, `<#if>`) and `$`-interpolations are not supported. The Content-Type is not changed. An evaluation error interrupts with 500 `ASSIGN_CONTENT_ERROR`.',
  category: 'transformation',
  phases: ['request', 'response'],
  needsBody: { request: true, response: true },
  schema: AssignContentSchema,
  examples: [wrapPayload],
  create: createAssignContent,
});
