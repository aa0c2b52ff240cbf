import { ElTemplate } from '@apim/core';
import { type Static, Type } from '@sinclair/typebox';

/** A header the mock answers with. */
export const MockHeaderSchema = Type.Object({
  name: Type.String({ minLength: 1, title: 'Name' }),
  value: ElTemplate({ title: 'Value', description: 'The header value (EL template).', default: '' }),
});

/** Configuration of the `mock` policy (Gravitee field names). */
export const MockSchema = Type.Object(
  {
    status: Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.String({ pattern: '^[1-5][0-9]{2}$' })], {
      title: 'HTTP status',
      description: "The response status; Gravitee v2 definitions give it as a string ('200').",
      default: 200,
    }),
    headers: Type.Array(MockHeaderSchema, {
      title: 'Headers',
      description: 'Response headers. Without Content-Type, it is guessed from the content (JSON, XML or text).',
      default: [],
      'x-ui': { widget: 'key-value' },
    }),
    content: Type.Optional(
      ElTemplate({ title: 'Content', description: 'The response body (EL template).', 'x-ui': { widget: 'code' } }),
    ),
  },
  { title: 'Mock' },
);
export type MockConfig = Static<typeof MockSchema>;
