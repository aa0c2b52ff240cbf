import { definePolicy } from '@apim/core';
import enrich from './examples/enrich.json' with { type: 'json' };
import { createHttpCallout } from './http-callout.js';
import { HttpCalloutSchema } from './schema.js';

/** `http-callout`: calls an HTTP service and keeps parts of its answer as attributes. */
export const httpCalloutPolicy = definePolicy({
  id: 'http-callout',
  version: '1.0.0',
  name: 'HTTP callout',
  description:
    "Calls an HTTP service (method, url, headers and body are EL templates) and sets attributes from its answer (`#calloutResponse.status`, `.headers`, `.content`). With `exitOnError`, a true `errorCondition` interrupts with `errorStatusCode` and `errorContent` (key `CALLOUT_EXIT_ON_INVALID_RESPONSE`); a failed call (connection, timeout, answer over `maxResponseSize`, refused address) interrupts with 500 `CALLOUT_HTTP_ERROR`. `fireAndForget` sends without waiting. Additions to Gravitee's fields: `connectTimeout`, `readTimeout`, `maxResponseSize`, and the opt-in SSRF guard `blockPrivateAddresses` (loopback, 10/8, 172.16/12, 192.168/16, 169.254/16, 100.64/10, ::1, fc00::/7, fe80::/10, checked after DNS resolution). Gravitee's `useSystemProxy` is ignored.",
  category: 'others',
  phases: ['request', 'response'],
  schema: HttpCalloutSchema,
  examples: [enrich],
  create: createHttpCallout,
});
