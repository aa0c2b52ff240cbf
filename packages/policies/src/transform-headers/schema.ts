import { ElTemplate } from '@apim/core';
import { type Static, Type } from '@sinclair/typebox';
import { ScopeSchema } from '../common/schema-parts.js';

/** Configuration of `transform-headers` (Gravitee field names). */
export const TransformHeadersSchema = Type.Object(
  {
    scope: ScopeSchema,
    addHeaders: Type.Array(
      Type.Object({
        name: Type.String({ minLength: 1, title: 'Name' }),
        value: ElTemplate({ title: 'Value', description: 'EL template; a null result leaves the header as it is.' }),
        appendToExistingArray: Type.Boolean({
          title: 'Append',
          description: 'Add a value to the existing ones instead of replacing them.',
          default: false,
        }),
      }),
      { title: 'Add or update headers', default: [], 'x-ui': { widget: 'key-value' } },
    ),
    removeHeaders: Type.Array(Type.String({ minLength: 1 }), {
      title: 'Remove headers',
      description: 'Names of the headers to remove (case-insensitive).',
      default: [],
    }),
    whitelistHeaders: Type.Array(Type.String({ minLength: 1 }), {
      title: 'Keep only these headers',
      description: 'When not empty, every other header is removed.',
      default: [],
    }),
  },
  { title: 'Transform headers' },
);
export type TransformHeadersConfig = Static<typeof TransformHeadersSchema>;
