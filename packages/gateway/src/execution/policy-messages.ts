/**
 * The request and response of a {@link GatewayExecutionContext}: lazy views over the Node request and the upstream
 * response. A map is only built when a policy (or an EL expression) reads it; the proxy asks whether it changed.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { MutableMultiValueMap, type PolicyRequest, type PolicyResponse, type PolicySsl } from '@apim/core';
import type { UpstreamResponseHeaders } from '../proxy-headers.js';

const EMPTY_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
const EMPTY_BODY = Buffer.alloc(0);
const toBuffer = (body: Buffer | string) => (typeof body === 'string' ? Buffer.from(body) : body);

/** The request as policies see it. */
export class GatewayPolicyRequest implements PolicyRequest {
  readonly id: string;
  method: string;
  pathParams: Readonly<Record<string, string>> = EMPTY_PARAMS;
  readonly #req: IncomingMessage;
  readonly #prefixLength: number;
  #path: string | undefined;
  #queryString: string | undefined;
  #headers: MutableMultiValueMap | undefined;
  #query: MutableMultiValueMap | undefined;
  /** The body read from the client (only when a selected step needs it). */
  #buffered: Buffer | undefined;
  /** A body set by a policy. */
  #replaced: Buffer | undefined;
  /** Counts body changes, for the EL cache. */
  bodyVersion = 0;

  constructor(req: IncomingMessage, id: string, prefixLength: number) {
    this.#req = req;
    this.id = id;
    this.#prefixLength = prefixLength;
    this.method = req.method ?? 'GET';
  }

  #split(): void {
    const url = this.#req.url ?? '/';
    const q = url.indexOf('?');
    this.#path = q < 0 ? url : url.slice(0, q);
    this.#queryString = q < 0 ? '' : url.slice(q + 1);
  }

  /** The full path, without the query string. */
  get path(): string {
    if (this.#path === undefined) this.#split();
    return this.#path!;
  }

  /** The raw query string (without `?`) as the client sent it. */
  get rawQuery(): string {
    if (this.#queryString === undefined) this.#split();
    return this.#queryString!;
  }

  get contextPath(): string {
    return this.path.slice(0, this.#prefixLength) || '/';
  }

  #ssl: PolicySsl | undefined;

  get pathInfo(): string {
    const rest = this.path.slice(this.#prefixLength);
    return rest === '' ? '/' : rest.charCodeAt(0) === 47 ? rest : `/${rest}`;
  }

  get headers(): MutableMultiValueMap {
    this.#headers ??= headerMapOf(this.#req.rawHeaders);
    return this.#headers;
  }

  get query(): MutableMultiValueMap {
    this.#query ??= MutableMultiValueMap.from(new URLSearchParams(this.rawQuery));
    return this.#query;
  }

  get remoteAddress(): string {
    return this.#req.socket?.remoteAddress ?? '';
  }

  get scheme(): string {
    return (this.#req.socket as TLSSocket | null)?.encrypted === true ? 'https' : 'http';
  }

  get ssl(): PolicySsl | undefined {
    const socket = this.#req.socket as TLSSocket | null;
    if (socket?.encrypted !== true) return undefined;
    this.#ssl ??= sslOf(socket);
    return this.#ssl;
  }

  /** The header map when a policy changed it, else undefined (the client's raw headers are forwarded as they are). */
  get changedHeaders(): MutableMultiValueMap | undefined {
    return this.#headers !== undefined && this.#headers.version > 0 ? this.#headers : undefined;
  }

  /** The query map when a policy changed it, else undefined. */
  get changedQuery(): MutableMultiValueMap | undefined {
    return this.#query !== undefined && this.#query.version > 0 ? this.#query : undefined;
  }

  get headersVersion(): number {
    return this.#headers?.version ?? -1;
  }

  get queryVersion(): number {
    return this.#query?.version ?? -1;
  }

  /** Records the body read from the client. */
  setBuffered(body: Buffer): void {
    this.#buffered = body;
    this.bodyVersion++;
  }

  /** The body to send upstream when it is in memory (buffered or replaced); undefined: stream the client's. */
  get upstreamBody(): Buffer | undefined {
    return this.#replaced ?? this.#buffered;
  }

  /** The body as text for EL (`#request.content`); null when it is not in memory. */
  bufferedText(): string | null {
    return this.upstreamBody?.toString('utf8') ?? null;
  }

  body(): Promise<Buffer> {
    const body = this.upstreamBody;
    if (body === undefined)
      return Promise.reject(new Error('the request body is not buffered: the policy must declare needsBody.request'));
    return Promise.resolve(body);
  }

  setBody(body: Buffer | string): void {
    this.#replaced = toBuffer(body);
    this.bodyVersion++;
  }
}

/** The response as policies see it: what a mock writes, or the upstream's answer in the response phase. */
export class GatewayPolicyResponse implements PolicyResponse {
  status = 200;
  #headers: MutableMultiValueMap | undefined;
  #upstream: UpstreamResponseHeaders | undefined;
  #body: Buffer | undefined;
  bodyVersion = 0;

  get headers(): MutableMultiValueMap {
    if (this.#headers === undefined) {
      this.#headers = MutableMultiValueMap.from(this.#upstream ?? {}, { caseInsensitive: true });
      this.#upstream = undefined;
    }
    return this.#headers;
  }

  get headersVersion(): number {
    return this.#headers?.version ?? -1;
  }

  /**
   * Sets the upstream's status and headers (the map is built when a policy reads it). Headers request policies set
   * for the response (a rate limit's counters) are kept over the upstream's of the same name.
   */
  setUpstream(status: number, headers: UpstreamResponseHeaders): void {
    const fromRequestPhase = this.changedHeaders;
    this.status = status;
    this.#upstream = headers;
    this.#headers = undefined;
    if (fromRequestPhase !== undefined) {
      const map = this.headers;
      for (const [name, values] of fromRequestPhase) map.set(name, values);
    }
  }

  /** The headers when a policy set some, else undefined. */
  get changedHeaders(): MutableMultiValueMap | undefined {
    return this.#headers !== undefined && this.#headers.version > 0 ? this.#headers : undefined;
  }

  /** The headers to write (lowercase names): the upstream's untouched unless a policy read or changed them. */
  headerRecord(): UpstreamResponseHeaders {
    if (this.#headers === undefined) return this.#upstream ?? {};
    const out: UpstreamResponseHeaders = {};
    for (const [name, values] of this.#headers) out[name.toLowerCase()] = values.length === 1 ? values[0] : [...values];
    return out;
  }

  /** The body in memory (set by a policy or buffered from the upstream), if any. */
  get currentBody(): Buffer | undefined {
    return this.#body;
  }

  bufferedText(): string | null {
    return this.#body?.toString('utf8') ?? null;
  }

  body(): Promise<Buffer> {
    return Promise.resolve(this.#body ?? EMPTY_BODY);
  }

  setBody(body: Buffer | string): void {
    this.#body = toBuffer(body);
    this.bodyVersion++;
  }
}

/** A case-insensitive header map from Node's raw headers, HTTP/2 pseudo-headers left out; `version` starts at 0. */
export function headerMapOf(raw: readonly string[]): MutableMultiValueMap {
  const map = new MutableMultiValueMap({ caseInsensitive: true });
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) !== 58 /* ':' */) map.add(name, raw[i + 1]!);
  }
  map.version = 0;
  return map;
}

/** A flat `[name, value, ...]` list of a header map. */
export function rawHeadersOf(map: MutableMultiValueMap): string[] {
  const out: string[] = [];
  for (const [name, values] of map) for (const value of values) out.push(name, value);
  return out;
}

/** The TLS session of a client socket as policies see it (the peer certificate read once). */
function sslOf(socket: TLSSocket): PolicySsl {
  const peer = socket.getPeerCertificate();
  const present = peer !== null && typeof peer === 'object' && peer.raw !== undefined;
  return {
    clientAuthorized: socket.authorized === true,
    clientCertificate: present
      ? {
          subject: distinguishedName(peer.subject),
          issuer: distinguishedName(peer.issuer),
          fingerprint256: peer.fingerprint256,
          raw: peer.raw,
        }
      : undefined,
  };
}

/** `{ CN: 'client', O: 'Example' }` -> `CN=client,O=Example` (most specific first, as RFC 4514 writes it). */
function distinguishedName(name: Readonly<Record<string, string | string[] | undefined>> | undefined): string {
  if (name === undefined) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(name)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) parts.push(`${key}=${item}`);
  }
  return parts.reverse().join(',');
}
