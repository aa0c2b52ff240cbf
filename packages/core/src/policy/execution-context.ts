/**
 * What a policy sees of one request/response exchange. Core only declares it; the gateway implements it over the
 * Node request, and `@apim/policies` has a small in-memory implementation for tests.
 */
import type { ElContext } from '../el/index.js';
import type { MutableMultiValueMap } from './multi-value-map.js';

/** The subset of a pino logger that policies use. */
export interface PolicyLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** How a policy stops the chain: the gateway answers with this status, key (usable by response templates) and message. */
export interface InterruptOptions {
  status: number;
  /** A stable error key, e.g. `RESOURCE_FILTERING_FORBIDDEN`, matched by the API's `responseTemplates`. */
  key: string;
  message: string;
  headers?: Readonly<Record<string, string>>;
  /** The media type of `message` when it is not JSON-wrapped (default: the gateway's content negotiation). */
  contentType?: string;
}

/** The interruption recorded on a context; `policyId` names the policy that interrupted, when one did. */
export interface Interruption extends InterruptOptions {
  policyId?: string;
}

/** The incoming request. */
export interface PolicyRequest {
  readonly id: string;
  /** The method sent upstream; `override-request-method` changes it. */
  method: string;
  /** The full path, e.g. `/v2/store/1`. */
  readonly path: string;
  /** The path below the context path, e.g. `/store/1`. */
  readonly pathInfo: string;
  readonly contextPath: string;
  /** Parameters of the selected flows' paths (`/store/:id` gives `{ id: '1' }`). */
  pathParams: Readonly<Record<string, string>>;
  /** Headers sent upstream (case-insensitive names). */
  readonly headers: MutableMultiValueMap;
  /** Query parameters sent upstream (case-sensitive names). */
  readonly query: MutableMultiValueMap;
  readonly remoteAddress: string;
  /** `https` when the client connection is TLS, else `http`. */
  readonly scheme: string;
  /** The client connection's TLS session; undefined over cleartext. */
  readonly ssl: PolicySsl | undefined;
  /**
   * The buffered body. Only available when the step's policy declared `needsBody.request` (the gateway buffers the
   * body only for flows that need it); throws otherwise.
   */
  body(): Promise<Buffer>;
  /** Replaces the body sent upstream (always allowed: writing needs no buffering). */
  setBody(body: Buffer | string): void;
}

/** A client certificate as policies see it. */
export interface PolicyClientCertificate {
  /** The subject distinguished name, RFC 4514 order (`CN=client,O=Example`). */
  readonly subject: string;
  readonly issuer: string;
  /** SHA-256 fingerprint, upper-case hex pairs separated by colons (as Node gives it). */
  readonly fingerprint256: string;
  /** The certificate, DER. */
  readonly raw: Buffer;
}

/** The TLS session of the client connection. */
export interface PolicySsl {
  /** The certificate the client presented, when it did. */
  readonly clientCertificate: PolicyClientCertificate | undefined;
  /** The listener's trust store verified that certificate (mTLS). */
  readonly clientAuthorized: boolean;
}

/** The response: the endpoint's answer (response phase) or what request policies produce (mock). */
export interface PolicyResponse {
  status: number;
  readonly headers: MutableMultiValueMap;
  /** The buffered body; only available when the policy declared `needsBody.response`. */
  body(): Promise<Buffer>;
  setBody(body: Buffer | string): void;
}

/**
 * The execution context of one exchange.
 *
 * Interruption design: `interrupt()` records the interruption and returns; the chain runner checks
 * `interruption` after each step and stops. Nothing is thrown, so an interrupting policy (a mock, a 403 filter)
 * costs no stack capture. A policy returns right after calling it: `return exec.interrupt({...})`. A thrown
 * `PolicyInterruption` is also honoured (for code deep in a call stack).
 */
export interface ExecutionContext {
  readonly request: PolicyRequest;
  readonly response: PolicyResponse;
  /** Attributes of the exchange, readable in EL as `#context.attributes['name']`. */
  readonly attributes: Map<string, unknown>;
  /** The EL context of the exchange, built on first call and rebuilt only when headers/params changed since. */
  el(): ElContext;
  /** Stops the chain: the gateway answers with this failure. The first interruption wins. */
  interrupt(options: InterruptOptions): void;
  /** The recorded interruption, if any. */
  readonly interruption: Interruption | undefined;
  /** Tells the gateway not to call the endpoint: the response is what the policies wrote (mock). */
  skipEndpoint(): void;
  readonly endpointSkipped: boolean;
  readonly logger: PolicyLogger;
}

/**
 * An interruption thrown instead of recorded. Not an `Error`: no stack is captured.
 *
 * @example throw new PolicyInterruption({ status: 403, key: 'IP_FILTERING_FORBIDDEN', message: 'Forbidden' });
 */
export class PolicyInterruption {
  readonly options: InterruptOptions;

  constructor(options: InterruptOptions) {
    this.options = options;
  }
}

/**
 * The attribute that overrides the endpoint target of one exchange (Gravitee's `ATTR_REQUEST_ENDPOINT`), set by
 * `dynamic-routing`. Its value is either an absolute URL (`https://host/v2/users?x=1`), called as it is (the
 * request's path info is not appended), or an endpoint reference `name:` with an optional path
 * (`backend-b:/v2/users`), resolved against the endpoint of that name. The gateway reads it after the request
 * flows, right before calling the endpoint.
 */
export const ATTR_REQUEST_ENDPOINT = 'gravitee.attribute.request.endpoint';
