/**
 * Header rewriting between the client and the upstream: hop-by-hop headers are dropped both ways
 * (RFC 9110 §7.6.1, https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1), the Host is set to the target's, the
 * X-Forwarded-* headers describe the client, `Via` is appended both ways (RFC 9110 §7.6.3,
 * https://www.rfc-editor.org/rfc/rfc9110#section-7.6.3), and the transaction and request id headers are set.
 */
import { randomFillSync } from 'node:crypto';
import type { HeaderOverrideMode, ServerSettings } from './server-options.js';

/** Connection-specific headers a proxy must not forward (RFC 9110 §7.6.1, plus the legacy Proxy-Connection). */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The extra header names listed in Connection header values, lowercased; undefined when they only name
 * `keep-alive`/`close` (the common case, which needs no extra filtering).
 */
export function connectionTokens(values: readonly string[] | undefined): Set<string> | undefined {
  if (values === undefined) return undefined;
  let tokens: Set<string> | undefined;
  for (const value of values) {
    const lower = value.toLowerCase();
    if (lower === 'keep-alive' || lower === 'close') continue;
    for (const raw of lower.split(',')) {
      const token = raw.trim();
      if (token === '' || token === 'keep-alive' || token === 'close') continue;
      tokens ??= new Set();
      tokens.add(token);
    }
  }
  return tokens;
}

/** What the upstream request headers depend on besides the client's headers. */
export interface UpstreamHeaderContext {
  /** Host header for the upstream (the target's host). */
  hostHeader: string;
  propagateClientHost: boolean;
  forwardAcceptEncoding: boolean;
  /** Headers configured on the endpoint, [lowercase name, value]; they replace the client's of the same name. */
  configured: readonly [string, string][];
  /** Names of `configured`, for the lookups. */
  configuredNames: ReadonlySet<string>;
}

/** Response headers as undici gives them: lowercase names, repeated ones as arrays. */
export type UpstreamResponseHeaders = Record<string, string | string[] | undefined>;

/** The server settings the header rewriting reads. */
export type ProxyHeaderSettings = Pick<ServerSettings, 'via' | 'transaction' | 'requestId' | 'generateTraceparent'>;

/** The per-request values the gateway adds to forwarded messages. */
export interface RequestIds {
  readonly requestId: string;
  readonly transactionId: string;
  /** The client's HTTP version as Node gives it (`1.1`, `1.0`, `2.0`), for `Via`. */
  readonly httpVersion: string;
  /** With `generateTraceparent`: the traceparent sent upstream and returned to the client; undefined otherwise. */
  readonly traceparent: string | undefined;
  /** The gateway generated {@link traceparent}: the client's traceparent and tracestate are dropped. */
  readonly traceparentGenerated: boolean;
  /** A lowercase request header not to forward (an API key the plan does not propagate). */
  readonly strippedHeader?: string | undefined;
  /** The API's CORS headers for this request's origin: they replace the upstream's `access-control-*` ones. */
  readonly corsHeaders?: readonly string[] | undefined;
  /** Headers request-phase policies set for the response: they replace the upstream's of the same name. */
  readonly policyResponseHeaders?: readonly string[] | undefined;
}

/**
 * Combines the gateway's value of an id header with another one (the client's on the request, the endpoint's on the
 * response) as the override mode says.
 */
export function applyOverrideMode(mode: HeaderOverrideMode, other: string | undefined, ours: string): string {
  if (other === undefined || mode === 'override') return ours;
  if (mode === 'keep' || other === ours) return other;
  return `${other}, ${ours}`;
}

/**
 * Builds the upstream request headers from the client's raw headers (a flat `[name, value, ...]` list as Node gives
 * it), in one pass: hop-by-hop and Connection-named headers dropped, Host rewritten, X-Forwarded-For appended,
 * X-Forwarded-Proto and X-Forwarded-Host set, Via appended, the transaction and request ids set.
 *
 * @example
 * buildUpstreamHeaders(req.rawHeaders, ctx, req.socket.remoteAddress, 'http', settings, exchange);
 */
export function buildUpstreamHeaders(
  raw: readonly string[],
  ctx: UpstreamHeaderContext,
  clientAddress: string | undefined,
  proto: 'http' | 'https',
  gateway: ProxyHeaderSettings,
  ids: RequestIds,
): string[] {
  let connection: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    connection ??= [];
    connection.push(raw[i + 1]!);
  }
  const extra = connectionTokens(connection);
  const out: string[] = [];
  let forwardedFor: string | undefined;
  let clientHost: string | undefined;
  let via: string | undefined;
  let clientRequestId: string | undefined;
  const transactionHeader = gateway.transaction.lower;
  const requestIdHeader = gateway.requestId.lower;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lower) || extra?.has(lower)) continue;
    switch (lower) {
      case ':authority': // HTTP/2 pseudo-headers are never forwarded (RFC 9113 §8.3); :authority is the Host
        clientHost ??= value;
        continue;
      case ':method':
      case ':path':
      case ':scheme':
      case ':protocol':
        continue;
      case 'host':
        clientHost ??= value;
        continue;
      case 'x-forwarded-for':
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
      case 'via':
        via = via === undefined ? value : `${via}, ${value}`;
        continue;
      case 'x-forwarded-proto':
      case 'x-forwarded-host':
      case 'expect': // answered by the gateway's own HTTP server
        continue;
      case 'accept-encoding':
        if (!ctx.forwardAcceptEncoding) continue;
        break;
      case 'traceparent':
      case 'tracestate':
        if (ids.traceparentGenerated) continue;
        break;
    }
    if (lower === transactionHeader || lower === ids.strippedHeader) continue;
    if (lower === requestIdHeader) {
      clientRequestId = clientRequestId === undefined ? value : `${clientRequestId}, ${value}`;
      continue;
    }
    if (ctx.configuredNames.size > 0 && ctx.configuredNames.has(lower)) continue;
    out.push(name, value);
  }
  for (const [name, value] of ctx.configured) out.push(name, value);
  // The transaction id is already the client's when it sent one (Gravitee's transaction processor).
  out.push(gateway.transaction.name, ids.transactionId);
  out.push(gateway.requestId.name, applyOverrideMode(gateway.requestId.mode, clientRequestId, ids.requestId));
  if (ids.traceparentGenerated && ids.traceparent !== undefined) out.push('traceparent', ids.traceparent);
  if (gateway.via !== undefined) {
    // The protocol the gateway received the request with: HTTP/2's version is "2" (RFC 9113 §3).
    const ours =
      ids.httpVersion === '1.0'
        ? gateway.via['1.0']
        : ids.httpVersion === '2.0'
          ? gateway.via['2']
          : gateway.via['1.1'];
    out.push('via', via === undefined ? ours : `${via}, ${ours}`);
  } else if (via !== undefined) out.push('via', via);
  out.push('host', ctx.propagateClientHost && clientHost !== undefined ? clientHost : ctx.hostHeader);
  const address = unmapIpv4(clientAddress);
  if (address !== undefined)
    out.push('x-forwarded-for', forwardedFor === undefined ? address : `${forwardedFor}, ${address}`);
  else if (forwardedFor !== undefined) out.push('x-forwarded-for', forwardedFor);
  out.push('x-forwarded-proto', proto);
  if (clientHost !== undefined) out.push('x-forwarded-host', clientHost);
  return out;
}

/**
 * Builds the client response headers from the upstream's parsed headers (lowercase names), dropping hop-by-hop and
 * Connection-named headers, appending Via and setting the id headers (per their override mode against the
 * endpoint's). Returns a flat `[name, value, ...]` list for `res.writeHead`.
 */
export function buildResponseHeaders(
  headers: UpstreamResponseHeaders,
  gateway: ProxyHeaderSettings,
  ids: RequestIds,
): string[] {
  const connection = headers.connection;
  const extra =
    connection === undefined ? undefined : connectionTokens(Array.isArray(connection) ? connection : [connection]);
  const transactionHeader = gateway.transaction.lower;
  const requestIdHeader = gateway.requestId.lower;
  const out: string[] = [];
  const cors = ids.corsHeaders;
  const policies = ids.policyResponseHeaders;
  let replaced: Set<string> | undefined;
  if (policies !== undefined) {
    replaced = new Set();
    for (let i = 0; i < policies.length; i += 2) replaced.add(policies[i]!.toLowerCase());
  }
  for (const name in headers) {
    if (HOP_BY_HOP_HEADERS.has(name) || extra?.has(name)) continue;
    if (cors !== undefined && name.startsWith('access-control-')) continue;
    if (replaced?.has(name)) continue;
    const value = headers[name];
    if (value === undefined || name === 'via' || name === transactionHeader || name === requestIdHeader) continue;
    if (typeof value === 'string') out.push(name, value);
    else for (const item of value) out.push(name, item);
  }
  const { transaction, requestId } = gateway;
  out.push(
    transaction.name,
    applyOverrideMode(transaction.mode, joined(headers[transactionHeader]), ids.transactionId),
  );
  out.push(requestId.name, applyOverrideMode(requestId.mode, joined(headers[requestIdHeader]), ids.requestId));
  const via = joined(headers.via);
  if (gateway.via !== undefined)
    out.push('via', via === undefined ? gateway.via['1.1'] : `${via}, ${gateway.via['1.1']}`);
  else if (via !== undefined) out.push('via', via);
  if (ids.traceparent !== undefined && headers.traceparent === undefined) out.push('traceparent', ids.traceparent);
  if (cors !== undefined) for (const item of cors) out.push(item);
  if (policies !== undefined) for (const item of policies) out.push(item);
  return out;
}

function joined(value: string | string[] | undefined): string | undefined {
  return value === undefined || typeof value === 'string' ? value : value.join(', ');
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_PARENT = '0'.repeat(16);

/**
 * Whether a traceparent is valid per W3C Trace Context §3.2 (https://www.w3.org/TR/trace-context/#traceparent-header):
 * version `ff` and all-zero ids are invalid; version 00 has no trailing fields.
 */
export function isValidTraceparent(value: string): boolean {
  const match = TRACEPARENT.exec(value);
  if (match === null) return false;
  const [, version, traceId, parentId, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return false;
  return traceId !== ZERO_TRACE && parentId !== ZERO_PARENT;
}

const random = Buffer.alloc(24);

/** A new traceparent (version 00, random trace and parent ids, not sampled: the gateway records no span). */
export function newTraceparent(): string {
  randomFillSync(random);
  return `00-${random.toString('hex', 0, 16)}-${random.toString('hex', 16, 24)}-00`;
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) -> `10.0.0.1`. */
function unmapIpv4(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
