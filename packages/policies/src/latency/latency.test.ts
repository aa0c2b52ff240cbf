import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import { latencyPolicy } from './index.js';
import { latencyMillis } from './latency.js';

describe('latency', () => {
  it('converts the unit, with Gravitee defaults', () => {
    expect(latencyMillis({ time: 2, timeUnit: 'SECONDS' })).toBe(2000);
    expect(latencyMillis({ time: 1, timeUnit: 'MINUTES' })).toBe(60_000);
  });

  it('waits on a timer without blocking the event loop', async () => {
    const instance = instantiate(latencyPolicy, { time: 40, timeUnit: 'MILLISECONDS' });
    const started = performance.now();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    await instance.onRequest!(new InMemoryExecutionContext());
    clearInterval(ticker);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    expect(ticks).toBeGreaterThan(2);
  });

  it('stays synchronous for a zero delay', () => {
    expect(instantiate(latencyPolicy, { time: 0 }).onResponse!(new InMemoryExecutionContext())).toBeUndefined();
  });
});
