/**
 * A mutable map of names to lists of strings, for request/response headers (case-insensitive names) and query
 * parameters (case-sensitive). Policies change it in place; `version` counts the changes so that a cached
 * expression-language view can tell it is stale.
 *
 * @example
 * const headers = new MutableMultiValueMap({ caseInsensitive: true });
 * headers.add('X-Foo', 'a'); headers.add('x-foo', 'b');
 * headers.get('X-FOO'); // ['a', 'b']
 */
export class MutableMultiValueMap implements Iterable<[string, readonly string[]]> {
  readonly caseInsensitive: boolean;
  /** Incremented on every change. */
  version = 0;
  readonly #values = new Map<string, string[]>();
  readonly #names = new Map<string, string>();

  constructor(options: { caseInsensitive?: boolean } = {}) {
    this.caseInsensitive = options.caseInsensitive ?? false;
  }

  /**
   * Builds a map from a record (Node's `IncomingHttpHeaders`, a parsed query string) or `[name, value]` entries;
   * `undefined` values are skipped, arrays give several values.
   */
  static from(
    input: Readonly<Record<string, string | readonly string[] | undefined>> | Iterable<readonly [string, string]>,
    options: { caseInsensitive?: boolean } = {},
  ): MutableMultiValueMap {
    const map = new MutableMultiValueMap(options);
    const entries = Symbol.iterator in Object(input) ? (input as Iterable<[string, string]>) : Object.entries(input);
    for (const [name, value] of entries) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) map.add(name, v);
      else map.add(name, value as string);
    }
    map.version = 0;
    return map;
  }

  #key(name: string): string {
    return this.caseInsensitive ? name.toLowerCase() : name;
  }

  /** The values of `name`, or undefined when absent. */
  get(name: string): readonly string[] | undefined {
    return this.#values.get(this.#key(name));
  }

  /** The first value of `name`, or undefined. */
  getFirst(name: string): string | undefined {
    return this.#values.get(this.#key(name))?.[0];
  }

  has(name: string): boolean {
    return this.#values.has(this.#key(name));
  }

  /** Replaces every value of `name`. */
  set(name: string, value: string | readonly string[]): this {
    const key = this.#key(name);
    this.#values.set(key, typeof value === 'string' ? [value] : [...value]);
    this.#names.set(key, name);
    this.version++;
    return this;
  }

  /** Appends a value to `name`. */
  add(name: string, value: string): this {
    const key = this.#key(name);
    const existing = this.#values.get(key);
    if (existing === undefined) {
      this.#values.set(key, [value]);
      this.#names.set(key, name);
    } else existing.push(value);
    this.version++;
    return this;
  }

  /** Removes `name`; true when it was present. */
  delete(name: string): boolean {
    const key = this.#key(name);
    this.#names.delete(key);
    const removed = this.#values.delete(key);
    if (removed) this.version++;
    return removed;
  }

  clear(): void {
    this.#values.clear();
    this.#names.clear();
    this.version++;
  }

  /** The names, as last set. */
  names(): string[] {
    return [...this.#names.values()];
  }

  get size(): number {
    return this.#values.size;
  }

  *[Symbol.iterator](): Iterator<[string, readonly string[]]> {
    for (const [key, values] of this.#values) yield [this.#names.get(key)!, values];
  }

  /** Name to value (one value) or values (several), the shape Node's `setHeader`/`OutgoingHttpHeaders` accepts. */
  toRecord(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = Object.create(null);
    for (const [key, values] of this.#values)
      out[this.#names.get(key)!] = values.length === 1 ? values[0]! : [...values];
    return out;
  }
}
