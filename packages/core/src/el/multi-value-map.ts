/** What `ElMultiValueMap.from` accepts: a record (Node's `IncomingHttpHeaders`), entries, or a Map. */
export type MultiValueInput =
  | ElMultiValueMap
  | Readonly<Record<string, string | number | readonly (string | number)[] | undefined | null>>
  | Iterable<readonly [string, string]>
  | ReadonlyMap<string, string | readonly string[]>;

/**
 * A read-only map of names to lists of strings: request/response/message headers (case-insensitive names) and query
 * parameters (case-sensitive). This is the shape Gravitee exposes: `#request.headers['X-Foo']` is the list of values,
 * `#request.headers['X-Foo'][0]` the first one, `#request.headers.getFirst('x-foo')` too.
 *
 * @example
 * const headers = ElMultiValueMap.from({ 'content-type': 'application/json' }, { caseInsensitive: true });
 * headers.get('Content-Type'); // ['application/json']
 */
export class ElMultiValueMap {
  readonly caseInsensitive: boolean;
  /** Stored under the lookup key (lower case when case-insensitive); values are frozen arrays. */
  readonly #values = new Map<string, readonly string[]>();
  /** The name as first given, by lookup key. */
  readonly #names = new Map<string, string>();

  private constructor(caseInsensitive: boolean) {
    this.caseInsensitive = caseInsensitive;
  }

  /** Builds a map from a record, entries or a Map; `undefined`/`null` values are skipped, repeated names accumulate. */
  static from(input: MultiValueInput | undefined | null, options: { caseInsensitive?: boolean } = {}): ElMultiValueMap {
    const map = new ElMultiValueMap(options.caseInsensitive ?? false);
    if (input === undefined || input === null) return map.#freeze();
    const entries: Iterable<readonly [string, unknown]> =
      input instanceof ElMultiValueMap
        ? input.#entries()
        : input instanceof Map || Symbol.iterator in Object(input)
          ? (input as Iterable<readonly [string, unknown]>)
          : Object.entries(input);
    for (const [name, value] of entries) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const v of value) map.#add(name, String(v));
      else map.#add(name, String(value));
    }
    return map.#freeze();
  }

  #add(name: string, value: string): void {
    const key = this.caseInsensitive ? name.toLowerCase() : name;
    const existing = this.#values.get(key) as string[] | undefined;
    if (existing === undefined) {
      this.#values.set(key, [value]);
      this.#names.set(key, name);
    } else existing.push(value);
  }

  #freeze(): this {
    for (const values of this.#values.values()) Object.freeze(values);
    return this;
  }

  *#entries(): Iterable<readonly [string, readonly string[]]> {
    for (const [key, values] of this.#values) yield [this.#names.get(key)!, values];
  }

  /** The values of `name`, or null when absent. */
  get(name: string): readonly string[] | null {
    const values = this.#values.get(name);
    if (values !== undefined) return values;
    return this.caseInsensitive ? (this.#values.get(name.toLowerCase()) ?? null) : null;
  }

  /** The first value of `name`, or null when absent. */
  getFirst(name: string): string | null {
    const values = this.get(name);
    return values === null ? null : (values[0] ?? null);
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  /** The names, as first given. */
  names(): string[] {
    return [...this.#names.values()];
  }

  get size(): number {
    return this.#values.size;
  }

  /** `[name, values]` pairs, names as first given. */
  entries(): [string, readonly string[]][] {
    return [...this.#entries()] as [string, readonly string[]][];
  }

  /** Name to first value. */
  toSingleValueRecord(): Record<string, string> {
    const out: Record<string, string> = Object.create(null);
    for (const [name, values] of this.#entries()) if (values.length > 0) out[name] = values[0]!;
    return out;
  }
}
