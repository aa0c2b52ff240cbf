import { definePolicy } from '@apim/core';
import smooth from './examples/smooth.json' with { type: 'json' };
import { SpikeArrestSchema } from './schema.js';
import { createSpikeArrest } from './spike-arrest.js';

/** `spike-arrest`: smooths traffic by cutting the period into slices. */
export const spikeArrestPolicy = definePolicy({
  id: 'spike-arrest',
  version: '1.0.0',
  name: 'Spike arrest',
  description:
    "Smooths traffic as Gravitee does: `spike.limit` requests per period become slices of period/limit ms admitting one request each (slices under 100 ms are grouped: 100 per second gives 10 requests per 100 ms), so a burst cannot use the whole period's allowance at once. Beyond a slice's allowance: 429 SPIKE_ARREST_TOO_MANY_REQUESTS (\"Spike limit exceeded! You reached the limit of 1 requests per 100 ms.\") with Retry-After. Headers X-Spike-Arrest-Limit (per slice), X-Spike-Arrest-Slice-Period (`100ms`), X-Spike-Arrest-Reset (epoch ms). The counter store is the gateway's `rateLimit` service (in memory, or Redis shared by every gateway: one atomic script per decision, so gateways sharing Redis never admit more than the limit; `async: true` decides from local counters synchronised every second). Counter key: `<type>:api:<api id>:<configuration hash>:<plan>:<subscription, or the client address on keyless plans>[:<key>]`, or `<type>:key:<key>` with `useKeyOnly`. A refused request is not counted. The headers are set on the response during the request phase and re-applied by a step of the same policy placed in the response phase.",
  category: 'traffic',
  phases: ['request', 'response'],
  schema: SpikeArrestSchema,
  examples: [smooth],
  create: createSpikeArrest,
});
