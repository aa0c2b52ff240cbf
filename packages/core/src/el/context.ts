import { evalError } from './errors.js';
import { ElMultiValueMap, type MultiValueInput } from './multi-value-map.js';
import { parseXml, xmlToValue } from './xml.js';

/** A value, or a function that computes it the first time an expression reads it. */
export type ElLazy<T> = T | (() => T);

/** `#request`: the incoming request, as Gravitee's EvaluableRequest exposes it. */
export interface ElRequest {
  id?: ElLazy<string | null>;
  transactionId?: ElLazy<string | null>;
  /** Path and query, e.g. `/v2/store/MyStore?order=100`. */
  uri?: ElLazy<string>;
  /** e.g. `/v2/store/MyStore`. */
  path?: ElLazy<string>;
  /** The path below the context path, e.g. `/store/MyStore`. */
  pathInfo?: ElLazy<string>;
  /** `pathInfo` split on `/`: `['', 'store', 'MyStore']`. */
  pathInfos?: ElLazy<readonly string[]>;
  /** `path` split on `/`: `['', 'v2', 'store', 'MyStore']`. */
  paths?: ElLazy<readonly string[]>;
  pathParams?: ElLazy<Readonly<Record<string, string>>>;
  contextPath?: ElLazy<string>;
  /** Query parameters: name to list of values. */
  params?: ElLazy<ElMultiValueMap>;
  /** Headers: case-insensitive name to list of values. */
  headers?: ElLazy<ElMultiValueMap>;
  method?: ElLazy<string>;
  scheme?: ElLazy<string>;
  host?: ElLazy<string>;
  /** e.g. `HTTP_1_1`. */
  version?: ElLazy<string>;
  remoteAddress?: ElLazy<string>;
  localAddress?: ElLazy<string>;
  /** Epoch milliseconds. */
  timestamp?: ElLazy<number>;
  /** The body, when the flow has buffered it. */
  content?: ElLazy<string | null>;
  jsonContent?: ElLazy<unknown>;
  xmlContent?: ElLazy<unknown>;
  ssl?: ElLazy<Readonly<Record<string, unknown>>>;
}

/** `#response`. */
export interface ElResponse {
  status?: ElLazy<number>;
  reason?: ElLazy<string>;
  headers?: ElLazy<ElMultiValueMap>;
  content?: ElLazy<string | null>;
  jsonContent?: ElLazy<unknown>;
  xmlContent?: ElLazy<unknown>;
}

/** `#message`, for event (message) APIs. */
export interface ElMessage {
  id?: ElLazy<string>;
  content?: ElLazy<string | null>;
  contentLength?: ElLazy<number>;
  headers?: ElLazy<ElMultiValueMap>;
  attributes?: ElLazy<Readonly<Record<string, unknown>>>;
  attributeNames?: ElLazy<readonly string[]>;
  metadata?: ElLazy<Readonly<Record<string, unknown>>>;
  error?: ElLazy<boolean>;
}

/** The roots an expression can read. Every root and every member may be lazy. */
export interface ElContext {
  readonly request?: ElLazy<ElRequest>;
  readonly response?: ElLazy<ElResponse>;
  /** `#context.attributes['user-id']`: the attributes of the current transaction. */
  readonly context?: ElLazy<{ attributes?: ElLazy<Readonly<Record<string, unknown>> | ReadonlyMap<string, unknown>> }>;
  readonly api?: ElLazy<{
    id?: ElLazy<string>;
    name?: ElLazy<string>;
    version?: ElLazy<string>;
    properties?: ElLazy<Readonly<Record<string, string>>>;
  }>;
  /** The API's properties; defaults to `api.properties`. */
  readonly properties?: ElLazy<Readonly<Record<string, string>>>;
  readonly subscription?: ElLazy<Readonly<Record<string, unknown>>>;
  /** `#dictionaries['dictionary-id']['key']`. */
  readonly dictionaries?: ElLazy<Readonly<Record<string, Readonly<Record<string, string>>>>>;
  /** `#endpoints['name']`: the target of each endpoint. */
  readonly endpoints?: ElLazy<Readonly<Record<string, string>>>;
  readonly node?: ElLazy<{
    id?: string;
    version?: string;
    tenant?: string;
    zone?: string;
    shardingTags?: readonly string[];
  }>;
  readonly message?: ElLazy<ElMessage>;
  /** Extra `#name` variables, for policies that add their own (e.g. `#profile`). */
  readonly variables?: Readonly<Record<string, unknown>>;
}

type Headers = ElLazy<MultiValueInput | undefined>;

/** What `createElContext` accepts: the same shape, with plain records for headers and params. */
export interface ElContextInit extends Omit<ElContext, 'request' | 'response' | 'message'> {
  request?: Omit<ElRequest, 'headers' | 'params'> & { headers?: Headers; params?: Headers };
  response?: Omit<ElResponse, 'headers'> & { headers?: Headers };
  message?: Omit<ElMessage, 'headers'> & { headers?: Headers };
}

/** Wraps a function so that it runs once; other values are returned as they are. */
function once<T>(v: ElLazy<T>): ElLazy<T> {
  if (typeof v !== 'function') return v;
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = (v as () => T)();
      done = true;
    }
    return value;
  };
}

const read = <T>(v: ElLazy<T>): T => (typeof v === 'function' ? (v as () => T)() : v);

/** A plain copy of `obj` with every function-valued member memoized. */
function lazyObject<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = once(v);
  return out as T;
}

/** A root given as an object or as a function returning one: its members memoized, the function called once. */
function lazyRoot<T extends object>(v: ElLazy<T>): ElLazy<T> {
  return typeof v === 'function' ? once(() => lazyObject((v as () => T)())) : lazyObject(v);
}

function multiValue(input: Headers | undefined, caseInsensitive: boolean): ElLazy<ElMultiValueMap> {
  return once(() => ElMultiValueMap.from(read(input), { caseInsensitive }));
}

/** `jsonContent`/`xmlContent` derived from `content` when not given. */
function bodyViews<T extends { content?: ElLazy<string | null>; jsonContent?: unknown; xmlContent?: unknown }>(
  out: T,
  what: string,
): void {
  const content = out.content;
  if (content === undefined) return;
  out.jsonContent ??= once(() => {
    const text = read(content);
    if (text === null || text === undefined) return null;
    try {
      return JSON.parse(text);
    } catch (e) {
      throw evalError('EL_FUNCTION_ERROR', `${what}.jsonContent: the body is not valid JSON (${(e as Error).message})`);
    }
  });
  out.xmlContent ??= once(() => {
    const text = read(content);
    if (text === null || text === undefined) return null;
    try {
      return xmlToValue(parseXml(text));
    } catch (e) {
      throw evalError('EL_FUNCTION_ERROR', `${what}.xmlContent: the body is not valid XML (${(e as Error).message})`);
    }
  });
}

function stripContextPath(path: string, contextPath: string): string {
  const base = contextPath.endsWith('/') ? contextPath.slice(0, -1) : contextPath;
  return base !== '' && (path === base || path.startsWith(`${base}/`)) ? path.slice(base.length) : path;
}

function request(init: NonNullable<ElContextInit['request']>): ElRequest {
  const out = lazyObject(init) as ElRequest & Record<string, unknown>;
  out.headers = multiValue(init.headers, true);
  out.params = multiValue(init.params, false);
  const path = () => read(init.path) ?? '/';
  out.pathInfo ??= once(() => stripContextPath(path(), read(init.contextPath) ?? ''));
  out.pathInfos ??= once(() => (read(out.pathInfo) as string).split('/'));
  out.paths ??= once(() => path().split('/'));
  out.uri ??= once(() => {
    const params = read(out.params as ElLazy<ElMultiValueMap>);
    const query = params
      .entries()
      .flatMap(([k, values]) => values.map((v) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
      .join('&');
    return query === '' ? path() : `${path()}?${query}`;
  });
  out.timestamp ??= Date.now();
  out.pathParams ??= {};
  bodyViews(out, 'request');
  return out;
}

/**
 * Builds an `ElContext` from plain data, for tests and for the gateway: headers and params become
 * `ElMultiValueMap`s (headers case-insensitive), derived request fields (`pathInfo`, `pathInfos`, `paths`, `uri`,
 * `jsonContent`, `xmlContent`) are computed lazily when absent, `#properties` defaults to `api.properties`, and
 * every function given is called at most once.
 *
 * @example
 * const ctx = createElContext({
 *   request: { method: 'GET', path: '/v2/store/MyStore', contextPath: '/v2/', headers: { 'X-Foo': 'bar' } },
 *   context: { attributes: { 'user-id': 'u1' } },
 * });
 */
export function createElContext(init: ElContextInit = {}): ElContext {
  const out: Record<string, unknown> = lazyObject({
    ...init,
    request: undefined,
    response: undefined,
    message: undefined,
  });
  if (init.request !== undefined) out.request = request(init.request);
  if (init.response !== undefined) {
    const response = lazyObject(init.response) as ElResponse & Record<string, unknown>;
    response.headers = multiValue(init.response.headers, true);
    bodyViews(response, 'response');
    out.response = response;
  }
  if (init.message !== undefined) {
    const message = lazyObject(init.message) as ElMessage & Record<string, unknown>;
    message.headers = multiValue(init.message.headers, true);
    message.attributes ??= {};
    message.contentLength ??= once(() => (read(message.content) ?? '').length);
    message.attributeNames ??= once(() => Object.keys(read(message.attributes) ?? {}));
    out.message = message;
  }
  if (init.context !== undefined) out.context = lazyRoot(init.context);
  if (init.api !== undefined) out.api = lazyRoot(init.api);
  if (init.properties === undefined && init.api !== undefined)
    out.properties = once(() => read((out.api as { properties?: ElLazy<unknown> }).properties) ?? null);
  return out as ElContext;
}
