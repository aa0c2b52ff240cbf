/**
 * A `tcp-proxy` endpoint compiled once per deployment: where to connect (`configuration.target.{host, port, secured}`)
 * and how (`sharedConfiguration.tcp.connectTimeout`, `ssl`), as Gravitee's tcp-proxy endpoint plugin defines them.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { Endpoint, EndpointGroup } from '@apim/core';
import { effectiveSharedConfiguration, resolveEndpointClientConfig } from '../endpoint-options.js';
import type { Balanceable } from '../load-balancer.js';

/** Gravitee's default `tcp.connectTimeout`, in milliseconds. */
export const TCP_CONNECT_TIMEOUT_DEFAULT = 3_000;

/** The `sharedConfiguration.tcp` block of a tcp-proxy group or endpoint (Gravitee's TCP client options). */
interface TcpClientOptions {
  connectTimeout?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The TLS client options of an endpoint's `ssl` block (trustAll, hostnameVerifier, trust and key stores). */
function sslOptions(group: EndpointGroup, endpoint: Endpoint, host: string, port: number): ConnectionOptions {
  // The http-proxy resolver already turns `ssl` into Node TLS options: reuse it on an equivalent https target.
  const hostname = host.includes(':') ? `[${host}]` : host;
  const { poolOptions } = resolveEndpointClientConfig(group, {
    ...endpoint,
    configuration: { target: `https://${hostname}:${port}` },
  });
  const { timeout: _timeout, ...tls } = (poolOptions.connect ?? {}) as ConnectionOptions & { timeout?: number };
  return tls;
}

/** One upstream of a TCP proxy API. */
export class TcpEndpoint implements Balanceable {
  readonly name: string;
  readonly weight: number;
  readonly secondary: boolean;
  readonly available = true;
  readonly host: string;
  readonly port: number;
  /** Connect with TLS (`target.secured`). */
  readonly secured: boolean;
  readonly connectTimeoutMs: number;
  /** With `secured`: the TLS client options (SNI is the target host unless it is an IP address). */
  readonly tls: ConnectionOptions | undefined;

  /** Throws when the target has no host or no valid port (the deployment is then rejected). */
  constructor(group: EndpointGroup, endpoint: Endpoint) {
    const target = isObject(endpoint.configuration?.target) ? endpoint.configuration.target : {};
    const { host, port } = target;
    if (typeof host !== 'string' || host === '') throw new Error(`tcp-proxy endpoint [${endpoint.name}] has no host`);
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`tcp-proxy endpoint [${endpoint.name}] has no valid port`);
    this.name = endpoint.name;
    this.weight = endpoint.weight ?? 1;
    this.secondary = endpoint.secondary === true;
    this.host = host;
    this.port = port;
    this.secured = target.secured === true;
    const shared = effectiveSharedConfiguration(group, endpoint) as { tcp?: TcpClientOptions };
    const timeout = shared.tcp?.connectTimeout;
    this.connectTimeoutMs =
      typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0 ? timeout : TCP_CONNECT_TIMEOUT_DEFAULT;
    this.tls = this.secured ? sslOptions(group, endpoint, host, port) : undefined;
  }

  /**
   * Opens the upstream connection (half-open allowed, so each direction closes on its own). The caller waits for
   * `connect` (or `secureConnect` when secured) and applies the connect timeout.
   *
   * @example const upstream = endpoint.connect(); upstream.once(endpoint.readyEvent, () => client.pipe(upstream));
   */
  connect(): Socket {
    if (this.tls === undefined) return netConnect({ host: this.host, port: this.port, allowHalfOpen: true });
    const servername = /^[\d.]+$|:/.test(this.host) ? undefined : this.host;
    // Node's tls.connect passes allowHalfOpen to its TLSSocket; @types/node does not declare it.
    const options = { ...this.tls, host: this.host, port: this.port, servername, allowHalfOpen: true };
    return tlsConnect(options as ConnectionOptions);
  }

  /** The event that says the connection is usable. */
  get readyEvent(): 'connect' | 'secureConnect' {
    return this.tls === undefined ? 'connect' : 'secureConnect';
  }
}
