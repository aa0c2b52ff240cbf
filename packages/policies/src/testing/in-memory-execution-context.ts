/**
 * A small, complete in-memory implementation of `ExecutionContext`: the reference the gateway's implementation
 * follows, and what policy and flow-engine tests run against.
 */
import {
  createElContext,
  type ElContext,
  type ExecutionContext,
  type Interruption,
  type InterruptOptions,
  MutableMultiValueMap,
  type PolicyLogger,
  type PolicyRequest,
  type PolicyResponse,
  type PolicySsl,
} from '@apim/core';

/** What a test request looks like; everything is optional. */
export interface InMemoryExchangeInit {
  method?: string;
  /** Full path with an optional query string: `/api/users/1?x=1`. */
  url?: string;
  contextPath?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  remoteAddress?: string;
  /** The TLS session (the request is then `https`); undefined: cleartext. */
  ssl?: PolicySsl;
  /** False: the request body is not buffered, `request.body()` throws (the gateway streams it). */
  bufferedBody?: boolean;
  response?: { status?: number; headers?: Record<string, string | string[]>; body?: string | Buffer };
  attributes?: Record<string, unknown>;
  logger?: PolicyLogger;
}

/** A logger that keeps its records, for assertions. */
export class RecordingLogger implements PolicyLogger {
  readonly records: { level: string; obj: object | string; msg?: string }[] = [];
  debug(obj: object | string, msg?: string): void {
    this.records.push({ level: 'debug', obj, msg });
  }
  info(obj: object | string, msg?: string): void {
    this.records.push({ level: 'info', obj, msg });
  }
  warn(obj: object | string, msg?: string): void {
    this.records.push({ level: 'warn', obj, msg });
  }
  error(obj: object | string, msg?: string): void {
    this.records.push({ level: 'error', obj, msg });
  }
}

const toBuffer = (body: Buffer | string) => (typeof body === 'string' ? Buffer.from(body) : body);

class InMemoryRequest implements PolicyRequest {
  readonly id = crypto.randomUUID();
  method: string;
  readonly path: string;
  readonly pathInfo: string;
  readonly contextPath: string;
  pathParams: Readonly<Record<string, string>> = {};
  readonly headers: MutableMultiValueMap;
  readonly query: MutableMultiValueMap;
  readonly remoteAddress: string;
  readonly ssl: PolicySsl | undefined;
  readonly scheme: string;
  #body: Buffer;
  readonly #buffered: boolean;

  constructor(init: InMemoryExchangeInit) {
    const url = new URL(init.url ?? '/', 'http://localhost');
    const contextPath = init.contextPath ?? '/';
    const base = contextPath.endsWith('/') ? contextPath.slice(0, -1) : contextPath;
    this.method = init.method ?? 'GET';
    this.path = url.pathname;
    this.contextPath = contextPath;
    this.pathInfo = base !== '' && this.path.startsWith(base) ? this.path.slice(base.length) || '/' : this.path;
    this.headers = MutableMultiValueMap.from(init.headers ?? {}, { caseInsensitive: true });
    this.query = MutableMultiValueMap.from(url.searchParams);
    this.remoteAddress = init.remoteAddress ?? '127.0.0.1';
    this.ssl = init.ssl;
    this.scheme = init.ssl === undefined ? 'http' : 'https';
    this.#body = toBuffer(init.body ?? '');
    this.#buffered = init.bufferedBody ?? true;
  }

  body(): Promise<Buffer> {
    if (!this.#buffered) throw new Error('the request body is not buffered: the policy must declare needsBody.request');
    return Promise.resolve(this.#body);
  }

  setBody(body: Buffer | string): void {
    this.#body = toBuffer(body);
  }

  /** The body as last set (tests). */
  get currentBody(): Buffer {
    return this.#body;
  }
}

class InMemoryResponse implements PolicyResponse {
  status: number;
  readonly headers: MutableMultiValueMap;
  #body: Buffer;

  constructor(init: InMemoryExchangeInit['response'] = {}) {
    this.status = init.status ?? 200;
    this.headers = MutableMultiValueMap.from(init.headers ?? {}, { caseInsensitive: true });
    this.#body = toBuffer(init.body ?? '');
  }

  body(): Promise<Buffer> {
    return Promise.resolve(this.#body);
  }

  setBody(body: Buffer | string): void {
    this.#body = toBuffer(body);
  }

  get currentBody(): Buffer {
    return this.#body;
  }
}

/**
 * An exchange held in memory.
 *
 * @example
 * const exec = new InMemoryExecutionContext({ method: 'POST', url: '/api/users?x=1', headers: { 'x-a': '1' } });
 * await policy.create(config, ctx).onRequest?.(exec);
 * exec.request.headers.get('x-b');
 */
export class InMemoryExecutionContext implements ExecutionContext {
  readonly request: InMemoryRequest;
  readonly response: InMemoryResponse;
  readonly attributes: Map<string, unknown>;
  readonly logger: PolicyLogger;
  #interruption: Interruption | undefined;
  #skipped = false;
  #el: ElContext | undefined;
  #elVersion = '';

  constructor(init: InMemoryExchangeInit = {}) {
    this.request = new InMemoryRequest(init);
    this.response = new InMemoryResponse(init.response);
    this.attributes = new Map(Object.entries(init.attributes ?? {}));
    this.logger = init.logger ?? new RecordingLogger();
  }

  el(): ElContext {
    const { request, response } = this;
    const version = `${request.headers.version}/${request.query.version}/${response.headers.version}/${request.method}/${response.status}`;
    if (this.#el !== undefined && version === this.#elVersion) return this.#el;
    this.#elVersion = version;
    this.#el = createElContext({
      request: {
        id: request.id,
        method: request.method,
        path: request.path,
        contextPath: request.contextPath,
        pathInfo: request.pathInfo,
        pathParams: () => request.pathParams,
        headers: () => new Map(request.headers),
        params: () => new Map(request.query),
        remoteAddress: request.remoteAddress,
        content: () => request.currentBody.toString('utf8'),
      },
      response: {
        status: response.status,
        headers: () => new Map(response.headers),
        content: () => response.currentBody.toString('utf8'),
      },
      context: { attributes: this.attributes },
    });
    return this.#el;
  }

  interrupt(options: InterruptOptions): void {
    this.#interruption ??= { ...options };
  }

  get interruption(): Interruption | undefined {
    return this.#interruption;
  }

  skipEndpoint(): void {
    this.#skipped = true;
  }

  get endpointSkipped(): boolean {
    return this.#skipped;
  }
}
