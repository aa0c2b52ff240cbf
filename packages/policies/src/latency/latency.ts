import { setTimeout as sleep } from 'node:timers/promises';
import type { PolicyInstance } from '@apim/core';
import { type LatencyConfig, TIME_UNITS } from './schema.js';

/** The delay in milliseconds. */
export function latencyMillis(config: Readonly<LatencyConfig>): number {
  return config.time * TIME_UNITS[config.timeUnit];
}

/** Waits on a timer (never blocks the event loop); a zero delay is a no-op that stays synchronous. */
export function createLatency(config: Readonly<LatencyConfig>): PolicyInstance {
  const ms = latencyMillis(config);
  const wait = ms === 0 ? () => undefined : () => sleep(ms);
  return { onRequest: wait, onResponse: wait };
}
