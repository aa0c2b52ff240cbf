/**
 * Load balancers of an endpoint group: ROUND_ROBIN, RANDOM, WEIGHTED_ROUND_ROBIN and WEIGHTED_RANDOM.
 *
 * A balancer is built once per deployment over a fixed list; per request it only moves an index or draws a number.
 * Items marked unavailable (by a future health check) are skipped; `next()` returns undefined when none is available.
 */

/** Anything a balancer can pick: endpoints carry a weight and an availability flag. */
export interface Balanceable {
  readonly weight: number;
  /** False while a health check considers the item down. */
  readonly available: boolean;
}

/** Picks the next item of a fixed list. */
export interface LoadBalancer<T> {
  next(): T | undefined;
}

/** The balancer types of the v4 definition (`endpointGroups[].loadBalancer.type`). */
export type LoadBalancerKind = 'ROUND_ROBIN' | 'RANDOM' | 'WEIGHTED_ROUND_ROBIN' | 'WEIGHTED_RANDOM';

const positiveWeight = (item: Balanceable): number =>
  item.weight > 0 && Number.isFinite(item.weight) ? item.weight : 1;

class RoundRobin<T extends Balanceable> implements LoadBalancer<T> {
  #index = 0;
  constructor(private readonly items: readonly T[]) {}

  next(): T | undefined {
    const { items } = this;
    for (let tries = 0; tries < items.length; tries++) {
      const item = items[this.#index]!;
      this.#index = this.#index + 1 === items.length ? 0 : this.#index + 1;
      if (item.available) return item;
    }
    return undefined;
  }
}

class Random<T extends Balanceable> implements LoadBalancer<T> {
  constructor(
    private readonly items: readonly T[],
    private readonly random: () => number,
  ) {}

  next(): T | undefined {
    const { items } = this;
    if (items.length === 0) return undefined;
    const start = Math.floor(this.random() * items.length) % items.length;
    for (let tries = 0; tries < items.length; tries++) {
      const item = items[(start + tries) % items.length]!;
      if (item.available) return item;
    }
    return undefined;
  }
}

/** Smooth weighted round robin (as nginx): spreads picks evenly, e.g. weights 5,1,1 give a a b a c a a. */
class WeightedRoundRobin<T extends Balanceable> implements LoadBalancer<T> {
  readonly #current: number[];
  constructor(private readonly items: readonly T[]) {
    this.#current = items.map(() => 0);
  }

  next(): T | undefined {
    const { items } = this;
    const current = this.#current;
    let total = 0;
    let best = -1;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (!item.available) continue;
      const weight = positiveWeight(item);
      current[i]! += weight;
      total += weight;
      if (best === -1 || current[i]! > current[best]!) best = i;
    }
    if (best === -1) return undefined;
    current[best]! -= total;
    return items[best];
  }
}

class WeightedRandom<T extends Balanceable> implements LoadBalancer<T> {
  constructor(
    private readonly items: readonly T[],
    private readonly random: () => number,
  ) {}

  next(): T | undefined {
    const { items } = this;
    let total = 0;
    for (const item of items) if (item.available) total += positiveWeight(item);
    if (total === 0) return undefined;
    let draw = this.random() * total;
    let last: T | undefined;
    for (const item of items) {
      if (!item.available) continue;
      last = item;
      draw -= positiveWeight(item);
      if (draw < 0) return item;
    }
    return last;
  }
}

/**
 * Creates the balancer of an endpoint group. Unknown types fall back to ROUND_ROBIN.
 *
 * @example
 * const lb = createLoadBalancer('WEIGHTED_ROUND_ROBIN', [{ weight: 3, available: true }, { weight: 1, available: true }]);
 * lb.next();
 */
export function createLoadBalancer<T extends Balanceable>(
  kind: LoadBalancerKind | string | undefined,
  items: readonly T[],
  random: () => number = Math.random,
): LoadBalancer<T> {
  switch (kind) {
    case 'RANDOM':
      return new Random(items, random);
    case 'WEIGHTED_ROUND_ROBIN':
      return new WeightedRoundRobin(items);
    case 'WEIGHTED_RANDOM':
      return new WeightedRandom(items, random);
    default:
      return new RoundRobin(items);
  }
}
