/**
 * Request routing by virtual host and longest context path.
 *
 * Every host (exact, wildcard suffix, or none) owns a trie of path segments. A lookup walks the request path one
 * segment at a time, so its cost depends on the depth of the request path, never on how many APIs are deployed.
 * Adding or removing the routes of one API touches only that API's nodes.
 *
 * Precedence follows Gravitee's acceptor ordering: an exact host match wins, then the most specific wildcard host
 * (`*.example.com`), then the host-less routes; within one host the longest context path wins.
 */

/** One context path of a deployed value, as stored in the router. */
export interface RouteEntry<T> {
  readonly value: T;
  /** Normalised host (lowercase, no port), `*.suffix` for a wildcard, or undefined for a host-less route. */
  readonly host: string | undefined;
  /** Normalised context path: leading slash, no trailing slash, no empty segment (`/` for the root). */
  readonly path: string;
  /** How many characters of the request URL the context path consumes (0 for the root path). */
  readonly prefixLength: number;
}

/** A context path to route to a value: `host` restricts it to one virtual host. */
export interface RouteSpec {
  host?: string | undefined;
  path: string;
}

interface TrieNode<T> {
  children: Map<string, TrieNode<T>> | undefined;
  /** Routes ending at this node, oldest first (the first one serves; the others wait for it to go away). */
  entries: RouteEntry<T>[] | undefined;
}

const newNode = <T>(): TrieNode<T> => ({ children: undefined, entries: undefined });

/**
 * Normalises a Host header or a listener host: lowercase, without port and without a trailing dot.
 *
 * @example normalizeHost('API.Example.com:8082') // 'api.example.com'
 */
export function normalizeHost(host: string | undefined): string | undefined {
  if (host === undefined || host.length === 0) return undefined;
  let end = host.length;
  if (host.charCodeAt(0) === 91 /* [ */) {
    // IPv6 literal: [::1]:8082
    const close = host.indexOf(']');
    end = close === -1 ? end : close + 1;
  } else {
    const colon = host.indexOf(':');
    if (colon !== -1) end = colon;
  }
  if (end > 0 && host.charCodeAt(end - 1) === 46 /* . */) end--;
  const bare = end === host.length ? host : host.slice(0, end);
  return bare.length === 0 ? undefined : bare.toLowerCase();
}

/** Splits a context path into its non-empty segments: `/a//b/` -> `['a', 'b']`. */
function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

class PathTrie<T> {
  readonly root: TrieNode<T> = newNode();

  add(segments: readonly string[], entry: RouteEntry<T>): void {
    let node = this.root;
    for (const segment of segments) {
      node.children ??= new Map();
      let child = node.children.get(segment);
      if (child === undefined) {
        child = newNode();
        node.children.set(segment, child);
      }
      node = child;
    }
    if (node.entries === undefined) node.entries = [entry];
    else node.entries.push(entry);
  }

  /** Removes one entry and prunes the nodes left empty. */
  remove(segments: readonly string[], entry: RouteEntry<T>): void {
    const path: TrieNode<T>[] = [this.root];
    let node = this.root;
    for (const segment of segments) {
      const child = node.children?.get(segment);
      if (child === undefined) return;
      node = child;
      path.push(node);
    }
    if (node.entries === undefined) return;
    const index = node.entries.indexOf(entry);
    if (index === -1) return;
    node.entries.splice(index, 1);
    if (node.entries.length === 0) node.entries = undefined;
    for (let depth = segments.length; depth > 0; depth--) {
      const current = path[depth]!;
      if (current.entries !== undefined || (current.children !== undefined && current.children.size > 0)) break;
      const parent = path[depth - 1]!;
      parent.children!.delete(segments[depth - 1]!);
      if (parent.children!.size === 0) parent.children = undefined;
    }
  }

  /** The deepest route whose context path is a segment prefix of the request URL's path (query excluded). */
  match(url: string): RouteEntry<T> | undefined {
    let node = this.root;
    let best = node.entries?.[0];
    if (url.charCodeAt(0) !== 47 /* / */) return undefined;
    let end = url.indexOf('?');
    if (end === -1) end = url.length;
    let start = 1;
    while (start < end && node.children !== undefined) {
      let slash = url.indexOf('/', start);
      if (slash === -1 || slash > end) slash = end;
      const child = node.children.get(url.slice(start, slash));
      if (child === undefined) break;
      node = child;
      if (node.entries !== undefined) best = node.entries[0];
      start = slash + 1;
    }
    return best;
  }

  get empty(): boolean {
    return this.root.entries === undefined && this.root.children === undefined;
  }
}

/**
 * Routes requests to deployed values (API runtimes) by host and longest context path.
 *
 * @example
 * const router = new Router<string>();
 * router.add('orders-api', [{ path: '/orders' }, { host: 'api.example.com', path: '/v2/orders' }]);
 * router.match('localhost:8082', '/orders/42?x=1'); // { value: 'orders-api', path: '/orders', prefixLength: 7, ... }
 */
export class Router<T> {
  readonly #exact = new Map<string, PathTrie<T>>();
  /** Keyed by the suffix including its leading dot: `*.example.com` -> `.example.com`. */
  readonly #wildcard = new Map<string, PathTrie<T>>();
  readonly #hostless = new PathTrie<T>();
  readonly #routes = new Map<T, { entry: RouteEntry<T>; segments: string[] }[]>();

  /** Adds the routes of a value. Routes already taken by another value stay with it until it is removed. */
  add(value: T, specs: readonly RouteSpec[]): RouteEntry<T>[] {
    this.remove(value);
    const added: { entry: RouteEntry<T>; segments: string[] }[] = [];
    for (const spec of specs) {
      const segments = segmentsOf(spec.path);
      const path = `/${segments.join('/')}`;
      const host = normalizeHost(spec.host?.trim());
      const entry: RouteEntry<T> = { value, host, path, prefixLength: segments.length === 0 ? 0 : path.length };
      if (added.some((other) => other.entry.host === host && other.entry.path === path)) continue;
      this.#trieFor(host, true)!.add(segments, entry);
      added.push({ entry, segments });
    }
    this.#routes.set(value, added);
    return added.map((route) => route.entry);
  }

  /** Removes every route of a value. */
  remove(value: T): void {
    const routes = this.#routes.get(value);
    if (routes === undefined) return;
    this.#routes.delete(value);
    for (const { entry, segments } of routes) {
      const trie = this.#trieFor(entry.host, false);
      if (trie === undefined) continue;
      trie.remove(segments, entry);
      if (trie.empty && entry.host !== undefined) this.#hostMap(entry.host).delete(this.#hostKey(entry.host));
    }
  }

  /** Values sharing a route with `value` that serve it instead (conflicting context paths). */
  shadowedBy(value: T): T[] {
    const owners = new Set<T>();
    for (const { entry } of this.#routes.get(value) ?? []) {
      const served = this.#trieFor(entry.host, false)?.match(entry.path === '/' ? '/' : entry.path);
      if (served !== undefined && served.value !== value && served.path === entry.path) owners.add(served.value);
    }
    return [...owners];
  }

  /**
   * Finds the route of a request.
   *
   * @param hostHeader the Host header as received (port and case are ignored)
   * @param url the raw request target (`/path?query`)
   */
  match(hostHeader: string | undefined, url: string): RouteEntry<T> | undefined {
    if (this.#exact.size > 0 || this.#wildcard.size > 0) {
      const host = normalizeHost(hostHeader);
      if (host !== undefined) {
        const exact = this.#exact.get(host)?.match(url);
        if (exact !== undefined) return exact;
        if (this.#wildcard.size > 0) {
          // Most specific suffix first: a.b.example.com tries .b.example.com, then .example.com, then .com.
          for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
            const found = this.#wildcard.get(host.slice(dot))?.match(url);
            if (found !== undefined) return found;
          }
        }
      }
    }
    return this.#hostless.match(url);
  }

  /** Number of values with routes. */
  get size(): number {
    return this.#routes.size;
  }

  #hostKey(host: string): string {
    return host.startsWith('*.') ? host.slice(1) : host;
  }

  #hostMap(host: string): Map<string, PathTrie<T>> {
    return host.startsWith('*.') ? this.#wildcard : this.#exact;
  }

  #trieFor(host: string | undefined, create: boolean): PathTrie<T> | undefined {
    if (host === undefined) return this.#hostless;
    const map = this.#hostMap(host);
    const key = this.#hostKey(host);
    let trie = map.get(key);
    if (trie === undefined && create) {
      trie = new PathTrie<T>();
      map.set(key, trie);
    }
    return trie;
  }
}
