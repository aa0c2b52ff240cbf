import type { PolicyFactoryContext, PolicyInstance } from '@apim/core';
import { type CounterWindow, createCounterPolicy } from '../common/counter-policy.js';
import { periodMs } from '../common/periods.js';
import type { SpikeArrestConfig } from './schema.js';

export const X_SPIKE_ARREST_LIMIT = 'X-Spike-Arrest-Limit';
export const X_SPIKE_ARREST_SLICE_PERIOD = 'X-Spike-Arrest-Slice-Period';
export const X_SPIKE_ARREST_RESET = 'X-Spike-Arrest-Reset';

/** Slices of at least 100 ms, so that counters have time to be shared (Gravitee's MIN_SLICE_PERIOD). */
const MIN_SLICE_MS = 100;

/**
 * Gravitee's slicing: the period is cut into slices of `period / limit` ms admitting 1 request each; slices shorter
 * than 100 ms are grouped by `n = round(100 / slice)` into slices of `floor(slice * n)` ms admitting n requests. A
 * limit of 0 gives one slice of the whole period admitting nothing.
 *
 * @example spikeSlice(10, 1_000); // { limit: 1, periodMs: 100 }
 * @example spikeSlice(100, 1_000); // { limit: 10, periodMs: 100 }
 */
export function spikeSlice(limit: number, period: number): CounterWindow {
  if (limit === 0) return { limit: 0, periodMs: period };
  const slice = period / limit;
  if (slice >= MIN_SLICE_MS) return { limit: 1, periodMs: Math.floor(slice) };
  const n = Math.round(MIN_SLICE_MS / slice);
  return { limit: n, periodMs: Math.max(1, Math.floor(slice * n)) };
}

/** Smooths traffic to `limit` requests per period, spread over slices (see {@link spikeSlice}). */
export function createSpikeArrest(config: Readonly<SpikeArrestConfig>, ctx: PolicyFactoryContext): PolicyInstance {
  const { spike } = config;
  return createCounterPolicy(
    {
      policyId: 'spike-arrest',
      type: 'sa',
      errorPrefix: 'SPIKE_ARREST',
      label: 'Spike arrest',
      counter: spike,
      async: config.async,
      addHeaders: config.addHeaders,
      errorStrategy: config.errorStrategy,
      configuration: config,
      window: (limit, now) => spikeSlice(limit, periodMs(spike.periodTime, spike.periodTimeUnit, now)),
      headers: (_limit, window, decision) => ({
        [X_SPIKE_ARREST_LIMIT]: String(window.limit),
        [X_SPIKE_ARREST_SLICE_PERIOD]: `${window.periodMs}ms`,
        [X_SPIKE_ARREST_RESET]: String(decision === undefined ? -1 : decision.resetAt),
      }),
      exceeded: (_limit, window) =>
        `Spike limit exceeded! You reached the limit of ${window.limit} requests per ${window.periodMs} ms.`,
    },
    ctx,
  );
}
