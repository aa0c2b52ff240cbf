import { describe, expect, it } from 'vitest';
import { createLoadBalancer } from './load-balancer.js';

interface Item {
  name: string;
  weight: number;
  available: boolean;
}

const item = (name: string, weight = 1, available = true): Item => ({ name, weight, available });
const draw = (lb: { next(): Item | undefined }, n: number) => Array.from({ length: n }, () => lb.next()?.name);
const count = (names: (string | undefined)[]) => {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name ?? '-'] = (counts[name ?? '-'] ?? 0) + 1;
  return counts;
};

/** A deterministic generator in [0, 1). */
const sequence = (values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('createLoadBalancer', () => {
  it('ROUND_ROBIN cycles in order and skips unavailable items', () => {
    const items = [item('a'), item('b'), item('c')];
    expect(draw(createLoadBalancer('ROUND_ROBIN', items), 5)).toEqual(['a', 'b', 'c', 'a', 'b']);
    items[1]!.available = false;
    expect(draw(createLoadBalancer('ROUND_ROBIN', items), 4)).toEqual(['a', 'c', 'a', 'c']);
  });

  it('returns undefined when nothing is available', () => {
    for (const kind of ['ROUND_ROBIN', 'RANDOM', 'WEIGHTED_ROUND_ROBIN', 'WEIGHTED_RANDOM']) {
      expect(createLoadBalancer(kind, []).next()).toBeUndefined();
      expect(createLoadBalancer(kind, [item('a', 1, false)]).next()).toBeUndefined();
    }
  });

  it('RANDOM draws uniformly and probes past unavailable items', () => {
    const items = [item('a'), item('b', 1, false), item('c')];
    expect(draw(createLoadBalancer('RANDOM', items, sequence([0, 0.4, 0.9])), 3)).toEqual(['a', 'c', 'c']);
  });

  it('WEIGHTED_ROUND_ROBIN is smooth and exact over a cycle', () => {
    const lb = createLoadBalancer('WEIGHTED_ROUND_ROBIN', [item('a', 5), item('b', 1), item('c', 1)]);
    expect(draw(lb, 7)).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
    expect(count(draw(lb, 700))).toEqual({ a: 500, b: 100, c: 100 });
  });

  it('WEIGHTED_RANDOM follows the weights', () => {
    const lb = createLoadBalancer(
      'WEIGHTED_RANDOM',
      [item('a', 3), item('b', 1)],
      sequence([0, 0.5, 0.74, 0.75, 0.99]),
    );
    expect(draw(lb, 5)).toEqual(['a', 'a', 'a', 'b', 'b']);
    const real = count(draw(createLoadBalancer('WEIGHTED_RANDOM', [item('a', 3), item('b', 1)]), 4000));
    expect(real.a! / 4000).toBeGreaterThan(0.7);
    expect(real.a! / 4000).toBeLessThan(0.8);
  });

  it('falls back to ROUND_ROBIN for an unknown type', () => {
    expect(draw(createLoadBalancer('SOMETHING', [item('a'), item('b')]), 3)).toEqual(['a', 'b', 'a']);
  });
});
