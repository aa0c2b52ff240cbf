/**
 * Header rewriting between the client and the upstream: hop-by-hop headers are dropped both ways
 * (RFC 9110 §7.6.1, https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1), the Host is set to the target's, and the
 * X-Forwarded-* headers describe the client.
 */
import type { IncomingHttpHeaders } from 'node:http';

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

/**
 * Builds the upstream request headers from the client's raw headers (a flat `[name, value, ...]` list as Node gives
 * it), in one pass: hop-by-hop and Connection-named headers dropped, Host rewritten, X-Forwarded-For appended,
 * X-Forwarded-Proto and X-Forwarded-Host set.
 *
 * @example
 * buildUpstreamHeaders(req.rawHeaders, ctx, req.socket.remoteAddress, 'http');
 */
export function buildUpstreamHeaders(
  raw: readonly string[],
  ctx: UpstreamHeaderContext,
  clientAddress: string | undefined,
  proto: 'http' | 'https',
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
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lower) || extra?.has(lower)) continue;
    switch (lower) {
      case 'host':
        clientHost ??= value;
        continue;
      case 'x-forwarded-for':
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
      case 'x-forwarded-proto':
      case 'x-forwarded-host':
      case 'expect': // answered by the gateway's own HTTP server
        continue;
      case 'accept-encoding':
        if (!ctx.forwardAcceptEncoding) continue;
        break;
    }
    if (ctx.configuredNames.size > 0 && ctx.configuredNames.has(lower)) continue;
    out.push(name, value);
  }
  for (const [name, value] of ctx.configured) out.push(name, value);
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
 * Connection-named headers. Returns a flat `[name, value, ...]` list for `res.writeHead`.
 */
export function buildResponseHeaders(headers: IncomingHttpHeaders): string[] {
  const connection = headers.connection;
  const extra =
    connection === undefined ? undefined : connectionTokens(Array.isArray(connection) ? connection : [connection]);
  const out: string[] = [];
  for (const name in headers) {
    if (HOP_BY_HOP_HEADERS.has(name) || extra?.has(name)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') out.push(name, value);
    else for (const item of value) out.push(name, item);
  }
  return out;
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) -> `10.0.0.1`. */
function unmapIpv4(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
