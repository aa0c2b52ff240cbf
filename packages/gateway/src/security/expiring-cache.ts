/**
 * A bounded map whose entries expire: what the gateway remembers of verified tokens and introspection answers. A
 * read refreshes the entry's recency; beyond `maxSize` the least recently used entry goes first.
 */
export class ExpiringCache<V> {
  readonly #entries = new Map<string, { readonly value: V; readonly until: number }>();

  constructor(readonly maxSize: number) {}

  /** The value remembered for `key`, unless it expired at `now`. */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.until <= now) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Remembers `value` until the epoch millisecond `until`. */
  set(key: string, value: V, until: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.maxSize) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { value, until });
  }

  get size(): number {
    return this.#entries.size;
  }
}
