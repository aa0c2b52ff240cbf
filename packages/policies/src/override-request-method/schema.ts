import { type Static, Type } from '@sinclair/typebox';
import { HttpMethodSchema } from '../common/schema-parts.js';

/** Configuration of `override-request-method` (Gravitee field names). */
export const OverrideRequestMethodSchema = Type.Object(
  {
    method: HttpMethodSchema({
      title: 'Method',
      description: 'The method sent upstream.',
      'x-ui': { widget: 'select' },
    }),
  },
  { title: 'Override request method' },
);
export type OverrideRequestMethodConfig = Static<typeof OverrideRequestMethodSchema>;
