/**
 * The gateway's `ExecutionContext`: a lightweight view over the Node request, built only for APIs that have flows.
 * Everything is lazy: the header and query maps are built on first access, the EL context on the first `el()` call
 * (and rebuilt only when the method, headers, query or response changed since), the attributes map on first use.
 * The proxy reads back what the policies changed (method, headers, query, body) through the maps' `version`.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  createElContext,
  type ElContext,
  type ExecutionContext,
  type Interruption,
  type InterruptOptions,
  type PolicyLogger,
} from '@apim/core';
import { GatewayPolicyRequest, GatewayPolicyResponse } from './policy-messages.js';

/** What the context knows of the API serving the request. */
export interface ExecutionApi {
  readonly id: string;
  readonly name: string;
  readonly definition: { readonly apiVersion?: string | undefined };
  readonly policyLogger: PolicyLogger;
}

/** The request's place in the API: the matched context path and what follows it. */
export interface ExecutionTarget {
  readonly requestId: string;
  readonly transactionId: string;
  /** How much of the URL the context path consumes. */
  readonly prefixLength: number;
  /** The plan resolved for the request. */
  readonly planId?: string | undefined;
  /** Who the plan's credentials identified, for plans with subscriptions. */
  readonly subscription?: { readonly id: string; readonly applicationId: string } | undefined;
  /** The API key that selected the plan. */
  readonly apiKey?: string | undefined;
  /** Attributes the credentials gave (`jwt.claims`, `user-id`...). */
  readonly securityAttributes?: Readonly<Record<string, unknown>> | undefined;
}

/** Gravitee's prefix of the attributes the gateway sets (`gravitee.attribute.application`...). */
export const ATTRIBUTE_PREFIX = 'gravitee.attribute.';

/**
 * The attributes of one exchange. As in Gravitee, the gateway's own attributes are stored with their prefix and read
 * with or without it: `#context.attributes['application']` and `['gravitee.attribute.application']` are the same.
 */
export class ContextAttributes extends Map<string, unknown> {
  override get(key: string): unknown {
    return super.has(key) ? super.get(key) : super.get(ATTRIBUTE_PREFIX + key);
  }

  override has(key: string): boolean {
    return super.has(key) || super.has(ATTRIBUTE_PREFIX + key);
  }
}

/** The attributes the gateway knows before the flows run: API, plan, application, subscription, API key. */
function initialAttributes(api: ExecutionApi, target: ExecutionTarget): ContextAttributes {
  const attributes = new ContextAttributes();
  attributes.set(`${ATTRIBUTE_PREFIX}api`, api.id);
  attributes.set(`${ATTRIBUTE_PREFIX}api.name`, api.name);
  if (target.planId !== undefined) attributes.set(`${ATTRIBUTE_PREFIX}plan`, target.planId);
  const { subscription } = target;
  if (subscription !== undefined) {
    attributes.set(`${ATTRIBUTE_PREFIX}application`, subscription.applicationId);
    attributes.set(`${ATTRIBUTE_PREFIX}subscription-id`, subscription.id);
    // Gravitee identifies the caller of an API-key plan by its subscription.
    attributes.set(`${ATTRIBUTE_PREFIX}user-id`, subscription.id);
  }
  if (target.apiKey !== undefined) attributes.set(`${ATTRIBUTE_PREFIX}api-key`, target.apiKey);
  const extra = target.securityAttributes;
  if (extra !== undefined) {
    for (const name in extra) attributes.set(name === 'user-id' ? `${ATTRIBUTE_PREFIX}${name}` : name, extra[name]);
  }
  return attributes;
}

/**
 * One exchange as policies see it.
 *
 * @example
 * const exec = new GatewayExecutionContext(req, exchange, api);
 * const selection = flows.select(exec.request.method, exec.request.pathInfo, () => exec.el(), planId);
 */
export class GatewayExecutionContext implements ExecutionContext {
  readonly request: GatewayPolicyRequest;
  readonly response = new GatewayPolicyResponse();
  readonly logger: PolicyLogger;
  readonly #req: IncomingMessage;
  readonly #api: ExecutionApi;
  readonly #transactionId: string;
  readonly #target: ExecutionTarget;
  #attributes: ContextAttributes | undefined;
  #interruption: Interruption | undefined;
  #skipped = false;
  #el: ElContext | undefined;
  #elVersion = '';

  constructor(req: IncomingMessage, target: ExecutionTarget, api: ExecutionApi) {
    this.#req = req;
    this.#api = api;
    this.#transactionId = target.transactionId;
    this.#target = target;
    this.logger = api.policyLogger;
    this.request = new GatewayPolicyRequest(req, target.requestId, target.prefixLength);
  }

  /** An attribute a policy may have set, without building the attributes when no policy touched them. */
  attributeIfSet(name: string): unknown {
    return this.#attributes?.get(name);
  }

  get attributes(): Map<string, unknown> {
    this.#attributes ??= initialAttributes(this.#api, this.#target);
    return this.#attributes;
  }

  el(): ElContext {
    const { request, response } = this;
    const version = `${request.method}/${request.headersVersion}/${request.queryVersion}/${response.headersVersion}/${response.status}/${request.bodyVersion}/${response.bodyVersion}`;
    if (this.#el !== undefined && version === this.#elVersion) return this.#el;
    this.#elVersion = version;
    const req = this.#req;
    const api = this.#api;
    this.#el = createElContext({
      request: {
        id: request.id,
        transactionId: this.#transactionId,
        method: request.method,
        path: () => request.path,
        contextPath: () => request.contextPath,
        pathInfo: () => request.pathInfo,
        pathParams: () => request.pathParams,
        headers: () => new Map(request.headers),
        params: () => new Map(request.query),
        remoteAddress: () => request.remoteAddress,
        localAddress: () => req.socket?.localAddress ?? '',
        host: () => (req.headers.host ?? (req.headers[':authority'] as string | undefined) ?? '').split(':')[0]!,
        scheme: () => ((req.socket as TLSSocket | null)?.encrypted === true ? 'https' : 'http'),
        version: () => `HTTP_${req.httpVersion.replace('.', '_')}`,
        content: () => request.bufferedText(),
      },
      response: {
        status: response.status,
        headers: () => new Map(response.headers),
        content: () => response.bufferedText(),
      },
      context: { attributes: () => this.attributes },
      api: { id: api.id, name: api.name, version: () => api.definition.apiVersion ?? '' },
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
