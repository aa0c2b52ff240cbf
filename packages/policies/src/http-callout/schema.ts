import { ElTemplate } from '@apim/core';
import { type Static, Type } from '@sinclair/typebox';
import { HttpMethodSchema, ScopeSchema } from '../common/schema-parts.js';

const NameValue = (valueDescription: string) =>
  Type.Object({
    name: Type.String({ minLength: 1, title: 'Name' }),
    value: ElTemplate({ title: 'Value', description: valueDescription, default: '' }),
  });

/** Configuration of `http-callout` (Gravitee `policy-http-callout` field names, plus timeouts and the SSRF guard). */
export const HttpCalloutSchema = Type.Object(
  {
    scope: ScopeSchema,
    method: HttpMethodSchema({ title: 'HTTP method', default: 'GET' }),
    url: ElTemplate({ minLength: 1, title: 'URL', description: 'The URL to call (EL template).' }),
    headers: Type.Array(NameValue('The header value (EL template).'), {
      title: 'Request headers',
      default: [],
      'x-ui': { widget: 'key-value' },
    }),
    body: Type.Optional(ElTemplate({ title: 'Request body', description: 'EL template.', 'x-ui': { widget: 'code' } })),
    fireAndForget: Type.Boolean({
      title: 'Fire & forget',
      description: 'Send the call without waiting for its answer; variables and the error condition are then ignored.',
      default: false,
    }),
    exitOnError: Type.Boolean({
      title: 'Exit on error',
      description: 'Stop the exchange when the error condition is true.',
      default: false,
    }),
    errorCondition: ElTemplate({
      title: 'Error condition',
      description: 'EL condition on #calloutResponse.',
      default: '{#calloutResponse.status >= 400 and #calloutResponse.status <= 599}',
    }),
    errorStatusCode: Type.Union(
      [Type.Integer({ minimum: 100, maximum: 599 }), Type.String({ pattern: '^[1-5][0-9]{2}$' })],
      {
        title: 'Error status code',
        description: 'The status answered when exiting on error.',
        default: 500,
      },
    ),
    errorContent: Type.Optional(ElTemplate({ title: 'Error response body', description: 'EL template.' })),
    variables: Type.Array(NameValue('EL template reading #calloutResponse.status, .headers and .content.'), {
      title: 'Context variables',
      description: "Attributes set from the answer, readable as #context.attributes['name'].",
      default: [],
      'x-ui': { widget: 'key-value' },
    }),
    connectTimeout: Type.Integer({ minimum: 1, title: 'Connect timeout (ms)', default: 5000 }),
    readTimeout: Type.Integer({
      minimum: 1,
      title: 'Read timeout (ms)',
      description: 'For the response headers, then between body chunks.',
      default: 10000,
    }),
    maxResponseSize: Type.Integer({
      minimum: 0,
      title: 'Maximum response size (bytes)',
      description: 'A larger answer fails the call.',
      default: 1048576,
    }),
    blockPrivateAddresses: Type.Boolean({
      title: 'Block private addresses',
      description:
        'Opt-in SSRF guard: refuse to call loopback, private, link-local and unique-local addresses, checked after DNS resolution.',
      default: false,
    }),
  },
  { title: 'HTTP callout' },
);
export type HttpCalloutConfig = Static<typeof HttpCalloutSchema>;
