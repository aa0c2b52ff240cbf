import { ElTemplate } from '@apim/core';
import { type Static, Type } from '@sinclair/typebox';
import { ScopeSchema } from '../common/schema-parts.js';

/** Configuration of `assign-content` (Gravitee field names). */
export const AssignContentSchema = Type.Object(
  {
    scope: ScopeSchema,
    body: ElTemplate({
      title: 'Body',
      description:
        "The new body, an EL template (`{#request.jsonContent.name}`, `{#context.attributes['x']}`). Gravitee uses a Freemarker template here; Freemarker directives are not supported.",
      default: '',
      'x-ui': { widget: 'code' },
    }),
  },
  { title: 'Assign content' },
);
export type AssignContentConfig = Static<typeof AssignContentSchema>;
