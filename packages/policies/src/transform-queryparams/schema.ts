import { ElTemplate } from '@apim/core';
import { type Static, Type } from '@sinclair/typebox';

/** Configuration of `transform-queryparams` (Gravitee field names). */
export const TransformQueryParamsSchema = Type.Object(
  {
    clearAll: Type.Boolean({ title: 'Clear all', description: 'Remove every query parameter first.', default: false }),
    removeQueryParameters: Type.Array(Type.String({ minLength: 1 }), {
      title: 'Remove query parameters',
      description: 'Names of the parameters to remove (case-sensitive).',
      default: [],
    }),
    addQueryParameters: Type.Array(
      Type.Object({
        name: Type.String({ minLength: 1, title: 'Name' }),
        value: ElTemplate({ title: 'Value', description: 'EL template; a null result adds nothing.' }),
        appendToExistingArray: Type.Boolean({
          title: 'Append',
          description: 'Add a value to the existing ones instead of replacing them.',
          default: false,
        }),
      }),
      { title: 'Add or update query parameters', default: [], 'x-ui': { widget: 'key-value' } },
    ),
  },
  { title: 'Transform query parameters' },
);
export type TransformQueryParamsConfig = Static<typeof TransformQueryParamsSchema>;
