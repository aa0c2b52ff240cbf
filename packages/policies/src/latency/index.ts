import { definePolicy } from '@apim/core';
import halfSecond from './examples/half-second.json' with { type: 'json' };
import { createLatency } from './latency.js';
import { LatencySchema } from './schema.js';

/** `latency`: delays the exchange. */
export const latencyPolicy = definePolicy({
  id: 'latency',
  version: '1.0.0',
  name: 'Latency',
  description: 'Delays the request or the response by a fixed time, without blocking the gateway (testing, chaos).',
  category: 'others',
  phases: ['request', 'response'],
  schema: LatencySchema,
  examples: [halfSecond],
  create: createLatency,
});
