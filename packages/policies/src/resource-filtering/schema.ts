import { type Static, Type } from '@sinclair/typebox';
import { HttpMethodSchema } from '../common/schema-parts.js';

const ResourceSchema = Type.Object({
  pattern: Type.String({
    minLength: 1,
    title: 'Path pattern',
    description: 'Ant-style pattern on the path below the context path: /users/*, /admin/**, /file?.txt.',
  }),
  methods: Type.Array(HttpMethodSchema(), { title: 'Methods', description: 'Empty: every method.', default: [] }),
});

/** Configuration of `resource-filtering` (Gravitee field names). */
export const ResourceFilteringSchema = Type.Object(
  {
    whitelist: Type.Array(ResourceSchema, {
      title: 'Whitelist',
      description: 'When not empty, only these resources are reachable.',
      default: [],
    }),
    blacklist: Type.Array(ResourceSchema, { title: 'Blacklist', description: 'Resources refused.', default: [] }),
  },
  { title: 'Resource filtering' },
);
export type ResourceFilteringConfig = Static<typeof ResourceFilteringSchema>;
