import { type Static, Type } from '@sinclair/typebox';
import { ScopeSchema } from '../common/schema-parts.js';

/** Configuration of `xml-json` (Gravitee field names). */
export const XmlJsonSchema = Type.Object({ scope: ScopeSchema }, { title: 'XML to JSON transformation' });
export type XmlJsonConfig = Static<typeof XmlJsonSchema>;
