/**
 * From an `http-proxy` endpoint's definition to the options of its undici Pool, computed once at deploy time.
 *
 * Gravitee semantics: an endpoint that inherits its configuration uses the group's `sharedConfiguration`; otherwise its
 * `sharedConfigurationOverride` replaces it (no deep merge). Absent fields take Gravitee's defaults.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { type Endpoint, type EndpointGroup, HTTP_CLIENT_DEFAULTS } from '@apim/core';
import type { Pool } from 'undici';

/** The `sharedConfiguration` of an http-proxy group or endpoint. */
export type SharedConfiguration = NonNullable<EndpointGroup['sharedConfiguration']>;

/** Everything the proxy needs to call one endpoint, resolved from the definition. */
export interface EndpointClientConfig {
  /** Origin of the pool: `http(s)://host:port`. */
  origin: string;
  /** Path of the target (`/` when it has none), onto which the request path after the context path is appended. */
  basePath: string;
  /** Query string of the target without `?` (`''` when none); request parameters are appended after it. */
  baseQuery: string;
  /** Host header sent upstream (the target's host and non-default port). */
  hostHeader: string;
  poolOptions: Pool.Options;
  /** False: every upstream request closes its connection (`keepAlive: false`). */
  keepAlive: boolean;
  /** Send the client's Host header instead of the target's. */
  propagateClientHost: boolean;
  /** Forward the client's Accept-Encoding (always when `useCompression`; the gateway never decompresses). */
  forwardAcceptEncoding: boolean;
  /** Redirects followed (`followRedirects`: 5, as Vert.x's default), 0 when off. */
  maxRedirections: number;
  /** Headers set on every upstream request (`sharedConfiguration.headers`), as [lowercase name, value]. */
  headers: [string, string][];
  /**
   * Call through a `node:http2` session instead of undici (see `grpc/`), so that response trailers are kept:
   * `grpc://` and `http://` with `http.version: HTTP_2` (h2c with prior knowledge), `grpcs://` and `https://` with
   * `HTTP_2` (h2 over TLS with the endpoint's TLS settings).
   */
  h2c: boolean;
  /**
   * With {@link h2c} over TLS: ALPN also offers `http/1.1`, and an endpoint that picks it is called through the undici
   * pool (`https://` + `HTTP_2`, as undici's `allowH2`); `grpcs://` endpoints must speak HTTP/2.
   */
  http1Fallback: boolean;
  /** The TLS options of `https` / `grpcs` targets. */
  tls: ConnectionOptions;
  /** Settings present in the definition that this gateway does not apply yet (logged at deploy). */
  unsupported: string[];
}

const SCHEMES: Record<string, string> = { 'http:': 'http:', 'https:': 'https:', 'grpc:': 'http:', 'grpcs:': 'https:' };

/** The configuration that applies to an endpoint: its override, or the group's shared configuration. */
export function effectiveSharedConfiguration(group: EndpointGroup, endpoint: Endpoint): SharedConfiguration {
  if (endpoint.inheritConfiguration === false) return endpoint.sharedConfigurationOverride ?? {};
  return group.sharedConfiguration ?? {};
}

function tlsOptions(ssl: SharedConfiguration['ssl'], unsupported: string[]): ConnectionOptions {
  const tls: ConnectionOptions = {};
  if (ssl === undefined) return tls;
  if (ssl.trustAll === true) tls.rejectUnauthorized = false;
  if (ssl.hostnameVerifier === false) tls.checkServerIdentity = () => undefined;
  const trust = ssl.trustStore;
  if (trust?.type !== undefined && trust.type !== '') {
    if (trust.type === 'PEM' && (trust.content || trust.path)) tls.ca = trust.content || readStore(trust.path!);
    else if (trust.type === 'PKCS12' && trust.content) {
      tls.pfx = [{ buf: Buffer.from(trust.content, 'base64'), passphrase: trust.password }];
    } else unsupported.push(`ssl.trustStore (${trust.type} ${trust.path ? 'path' : 'without content'})`);
  }
  const key = ssl.keyStore;
  if (key?.type !== undefined && key.type !== '') {
    if (key.type === 'PEM' && (key.certContent || key.certPath) && (key.keyContent || key.keyPath)) {
      tls.cert = key.certContent || readStore(key.certPath!);
      tls.key = key.keyContent || readStore(key.keyPath!);
      if (key.keyPassword || key.password) tls.passphrase = key.keyPassword || key.password;
    } else if (key.type === 'PKCS12' && key.content) {
      const pfx = { buf: Buffer.from(key.content, 'base64'), passphrase: key.password };
      tls.pfx = Array.isArray(tls.pfx) ? [...tls.pfx, pfx] : [pfx];
    } else unsupported.push(`ssl.keyStore (${key.type} ${key.path || key.certPath ? 'path' : 'without content'})`);
  }
  return tls;
}

/** Reads a PEM file of a store at deploy time (the deployment fails when it is missing). */
function readStore(path: string): string {
  return readFileSync(path, 'utf8');
}

/**
 * Resolves the client configuration of an `http-proxy` endpoint. Throws when the target is not an absolute
 * http(s)/grpc(s) URL (EL templates in targets are not supported yet).
 *
 * @example
 * const config = resolveEndpointClientConfig(group, group.endpoints[0]);
 * const pool = new Pool(config.origin, config.poolOptions);
 */
export function resolveEndpointClientConfig(group: EndpointGroup, endpoint: Endpoint): EndpointClientConfig {
  const target = endpoint.configuration?.target;
  if (typeof target !== 'string' || target.includes('{#')) {
    throw new Error(`endpoint [${endpoint.name}] has no static target URL (EL targets are not supported yet)`);
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    // Not the URL itself in the message: a target may carry credentials.
    throw new Error(`endpoint [${endpoint.name}] has an invalid target URL`);
  }
  const scheme = SCHEMES[url.protocol];
  if (scheme === undefined) throw new Error(`endpoint [${endpoint.name}] has an unsupported target scheme`);
  const shared = effectiveSharedConfiguration(group, endpoint);
  const http = { ...HTTP_CLIENT_DEFAULTS, ...stripUndefined(shared.http ?? {}) };
  const unsupported: string[] = [];
  if (shared.proxy?.enabled) unsupported.push('proxy');
  // gRPC is HTTP/2 only: `grpc(s)://` targets go through node:http2 whatever `http.version` says.
  const grpc = url.protocol === 'grpc:' || url.protocol === 'grpcs:';
  const h2c = grpc || http.version === 'HTTP_2';
  const tls = tlsOptions(shared.ssl, unsupported);

  const readTimeout = Math.max(0, http.readTimeout);
  const keepAliveTimeout = Math.max(1, http.keepAliveTimeout);
  const poolOptions: Pool.Options = {
    connections: http.maxConcurrentConnections,
    pipelining: http.pipelining ? 10 : 1,
    headersTimeout: readTimeout,
    bodyTimeout: readTimeout,
    keepAliveTimeout,
    keepAliveMaxTimeout: keepAliveTimeout,
    allowH2: http.version === 'HTTP_2',
    connect: { timeout: http.connectTimeout, ...tls },
  };
  const port = url.port === '' ? '' : `:${url.port}`;
  return {
    origin: `${scheme}//${url.hostname}${port}`,
    basePath: url.pathname === '' ? '/' : url.pathname,
    baseQuery: url.search.length > 1 ? url.search.slice(1) : '',
    hostHeader: url.host,
    poolOptions,
    keepAlive: http.keepAlive,
    maxRedirections: http.followRedirects ? 5 : 0,
    propagateClientHost: http.propagateClientHost,
    forwardAcceptEncoding: http.useCompression || http.propagateClientAcceptEncoding,
    headers: (shared.headers ?? [])
      .filter((header) => header.name.trim() !== '')
      .map((header) => [header.name.trim().toLowerCase(), header.value]),
    h2c,
    http1Fallback: h2c && !grpc && scheme === 'https:',
    tls,
    unsupported,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
