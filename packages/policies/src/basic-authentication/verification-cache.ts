import { createHmac, randomBytes } from 'node:crypto';

/**
 * Successful password verifications, remembered for a short time so that a client sending the same credentials on
 * every request does not cost a scrypt each time. Keys are an HMAC (random per-instance key) of the user and the
 * presented password, so the cache never holds passwords nor unsalted digests of them. Bounded: the oldest entries
 * are evicted first (insertion order of a Map, refreshed on hit).
 */
export class VerificationCache {
  readonly #entries = new Map<string, number>();
  readonly #key = randomBytes(32);
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  keyOf(user: string, password: string): string {
    return createHmac('sha256', this.#key).update(user).update('\0').update(password).digest('base64');
  }

  has(key: string): boolean {
    const expires = this.#entries.get(key);
    if (expires === undefined) return false;
    this.#entries.delete(key);
    if (expires <= this.#now()) return false;
    this.#entries.set(key, expires);
    return true;
  }

  add(key: string): void {
    this.#entries.delete(key);
    this.#entries.set(key, this.#now() + this.#ttlMs);
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}
