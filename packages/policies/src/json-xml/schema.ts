import { type Static, Type } from '@sinclair/typebox';
import { ScopeSchema } from '../common/schema-parts.js';

/** Configuration of `json-xml` (Gravitee field names). */
export const JsonXmlSchema = Type.Object(
  {
    scope: ScopeSchema,
    rootElement: Type.String({
      pattern: '^[A-Za-z_][-A-Za-z0-9_.]*$',
      title: 'Root element',
      description: 'The name of the XML element that wraps the converted object.',
      default: 'root',
    }),
  },
  { title: 'JSON to XML transformation' },
);
export type JsonXmlConfig = Static<typeof JsonXmlSchema>;
