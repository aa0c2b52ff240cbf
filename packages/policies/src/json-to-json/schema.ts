import { type Static, Type } from '@sinclair/typebox';
import { ScopeSchema } from '../common/schema-parts.js';

/** Configuration of `json-to-json` (Gravitee field names). */
export const JsonToJsonSchema = Type.Object(
  {
    scope: ScopeSchema,
    specification: Type.String({
      minLength: 1,
      title: 'JOLT specification',
      description:
        'The JOLT chain as JSON text: a list of {"operation", "spec"} (shift, default, remove, sort, cardinality, modify-overwrite-beta, modify-default-beta). Compiled at deploy time; EL is not evaluated in it.',
      'x-ui': { widget: 'code', language: 'json' },
    }),
    overrideContentType: Type.Boolean({
      title: 'Override the Content-Type',
      description: 'Set Content-Type to application/json even when the message declares one (else only when absent).',
      default: true,
    }),
  },
  { title: 'JSON to JSON transformation' },
);
export type JsonToJsonConfig = Static<typeof JsonToJsonSchema>;
