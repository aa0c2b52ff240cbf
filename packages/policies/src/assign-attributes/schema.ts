import { ElTemplate } from '@apim/core';
import { type Static, Type } from '@sinclair/typebox';
import { ScopeSchema } from '../common/schema-parts.js';

/** Configuration of `assign-attributes` (Gravitee field names). */
export const AssignAttributesSchema = Type.Object(
  {
    scope: ScopeSchema,
    attributes: Type.Array(
      Type.Object({
        name: Type.String({ minLength: 1, title: 'Name' }),
        value: ElTemplate({
          title: 'Value',
          description: 'EL template; a single block keeps its type (a number, a list...).',
        }),
      }),
      {
        title: 'Attributes',
        description: "Readable later as #context.attributes['name'].",
        default: [],
        'x-ui': { widget: 'key-value' },
      },
    ),
  },
  { title: 'Assign attributes' },
);
export type AssignAttributesConfig = Static<typeof AssignAttributesSchema>;
