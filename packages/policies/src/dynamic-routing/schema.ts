import { ElTemplate } from '@apim/core';
import { type Static, Type } from '@sinclair/typebox';

/** One routing rule: a regular expression on the path and the target it routes to. */
export const DynamicRoutingRuleSchema = Type.Object({
  pattern: Type.String({
    minLength: 1,
    title: 'Match expression',
    description:
      'A regular expression that must match the whole path below the context path (URL-decoded), e.g. `/v1/stores/(.*)` or `/users/(?<id>\\d+)`. Compiled at deploy time (JavaScript syntax; EL is not evaluated in it).',
  }),
  url: ElTemplate({
    title: 'Redirect to',
    description:
      "The target, an EL template: an absolute URL or an endpoint reference `name:/path`. The rule's groups are `#group[0]`... and `#groupName['id']`.",
  }),
});

/** Configuration of `dynamic-routing` (Gravitee field names). */
export const DynamicRoutingSchema = Type.Object(
  {
    rules: Type.Array(DynamicRoutingRuleSchema, {
      title: 'Routing rules',
      description: 'Tried in order; the first whose pattern matches routes the request.',
      default: [],
    }),
  },
  { title: 'Dynamic routing' },
);
export type DynamicRoutingConfig = Static<typeof DynamicRoutingSchema>;
