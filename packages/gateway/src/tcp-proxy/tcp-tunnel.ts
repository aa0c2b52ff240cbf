/**
 * One proxied TCP connection: the client's TLS socket (already terminated by the gateway) piped both ways to a new
 * connection to the chosen endpoint. `pipe` carries the backpressure of each direction; with half-open sockets an end
 * of stream (FIN, or TLS close_notify) from one side ends the other side's writes while the reverse direction keeps
 * flowing. Any error, or the connect timeout, destroys both sockets. The observer hears of the tunnel once, when
 * both sockets are closed.
 */
import type { Socket } from 'node:net';
import { upstreamErrorKey } from '../gateway-error.js';
import type { RequestObserver } from '../observer.js';
import type { TcpApiRoute } from './tcp-route-table.js';

/** How a tunnel ended, for logs and the observer. */
export interface TunnelOutcome {
  apiId: string;
  endpoint: string | undefined;
  /** True once the upstream connection was established. */
  connected: boolean;
  /** Bytes from the client to the upstream, and back. */
  bytesIn: number;
  bytesOut: number;
  error: unknown;
}

/**
 * Opens the upstream for a client socket and pipes them together; resolves when both are closed.
 *
 * @example await openTunnel(tlsSocket, route, observer);
 */
export function openTunnel(
  client: Socket,
  route: TcpApiRoute,
  observer: RequestObserver | undefined,
): Promise<TunnelOutcome> {
  const started = performance.now();
  const endpoint = route.next();
  const outcome: TunnelOutcome = {
    apiId: route.apiId,
    endpoint: endpoint?.name,
    connected: false,
    bytesIn: 0,
    bytesOut: 0,
    error: undefined,
  };
  let connectedAt = -1;
  const report = () => {
    observer?.requestCompleted({
      apiId: route.apiId,
      planId: undefined,
      endpoint: endpoint?.name,
      method: 'TCP',
      status: outcome.connected ? 200 : 0,
      errorKey: outcome.error === undefined ? undefined : upstreamErrorKey(outcome.error),
      durationMs: performance.now() - started,
      endpointDurationMs: connectedAt < 0 ? -1 : connectedAt - started,
      aborted: outcome.error !== undefined,
    });
  };
  if (endpoint === undefined) {
    outcome.error = new Error('no endpoint available');
    client.destroy();
    return closed(client).then(() => {
      report();
      return outcome;
    });
  }

  const upstream = endpoint.connect();
  const fail = (error: unknown) => {
    outcome.error ??= error;
    client.destroy();
    upstream.destroy();
  };
  const timer = setTimeout(() => {
    const error = Object.assign(new Error(`connect timeout (${endpoint.connectTimeoutMs} ms)`), {
      code: 'ETIMEDOUT',
    });
    fail(error);
  }, endpoint.connectTimeoutMs);
  timer.unref();
  upstream.once(endpoint.readyEvent, () => {
    clearTimeout(timer);
    outcome.connected = true;
    connectedAt = performance.now();
    client.on('data', (chunk: Buffer) => {
      outcome.bytesIn += chunk.length;
    });
    upstream.on('data', (chunk: Buffer) => {
      outcome.bytesOut += chunk.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  upstream.on('error', fail);
  client.on('error', fail);
  // A client that goes away before the upstream answers does not leave the upstream connecting.
  client.once('close', () => {
    if (!outcome.connected) fail(outcome.error ?? new Error('client closed before the upstream connected'));
    else upstream.destroy();
  });
  // Closed both ways (or reset): what was written to the client is flushed, then it closes too.
  upstream.once('close', () => {
    clearTimeout(timer);
    if (!client.destroyed) client.destroySoon();
  });

  return Promise.all([closed(client), closed(upstream)]).then(() => {
    clearTimeout(timer);
    report();
    return outcome;
  });
}

function closed(socket: Socket): Promise<void> {
  if (socket.destroyed && socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
