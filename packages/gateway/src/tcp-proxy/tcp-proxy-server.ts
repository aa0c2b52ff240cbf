/**
 * The gateway's TCP proxy server (Gravitee's `tcp` server): TLS with SNI mandatory. The client's server name
 * (RFC 6066 §3, https://www.rfc-editor.org/rfc/rfc6066#section-3) selects the API whose TCP listener lists it; the
 * gateway terminates TLS with its certificates (the same {@link CertificateStore} machinery as the HTTP listener) and
 * pipes the decrypted bytes to one of the API's tcp-proxy endpoints. A handshake without a server name, or with one no
 * API serves, is refused.
 */
import type { Socket } from 'node:net';
import { createServer, type SecureContext, type Server, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { RequestObserver } from '../observer.js';
import { CertificateStore, clientAuthOptions } from '../tls/certificate-store.js';
import type { TlsListenerOptions } from '../tls/tls-options.js';
import type { TcpRouteTable } from './tcp-route-table.js';
import { openTunnel } from './tcp-tunnel.js';

/** Gravitee's default port of the TCP server. */
export const TCP_PROXY_DEFAULT_PORT = 4082;

/** The `tcp` option of `startGateway`: the TCP proxy server, off when absent. */
export interface TcpProxyOptions {
  /** Port to listen on (default 4082; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default: all interfaces). */
  host?: string;
  /** The certificates served by SNI (required: TCP proxy APIs are routed by the TLS server name). */
  tls: TlsListenerOptions;
}

/** The TCP proxy server with its certificates, for the gateway to start and stop. */
export interface TcpProxyServer {
  readonly server: Server;
  /** Reads the certificates again for new handshakes; throws and keeps the current ones when they cannot be loaded. */
  reloadCertificates(): void;
  /** Tunnels currently open. */
  readonly activeTunnels: number;
  /** Stops accepting, lets open tunnels finish up to the deadline, then destroys the rest. */
  drain(deadlineMs: number): Promise<void>;
}

/** Raised in `SNICallback` to abort the handshake of a server name no API serves. */
class UnknownServerNameError extends Error {
  readonly code = 'ERR_TCP_PROXY_UNKNOWN_HOST';
}

/**
 * Creates (does not listen) the TCP proxy server over a route table.
 *
 * @example
 * const tcp = createTcpProxyServer(table, logger, { tls: { certificates: [{ cert, key }] } });
 * tcp.server.listen(4082);
 * await tcp.drain(10_000);
 */
export function createTcpProxyServer(
  routes: TcpRouteTable,
  logger: Logger,
  options: TcpProxyOptions,
  observer?: RequestObserver,
): TcpProxyServer {
  const certificates = new CertificateStore(options.tls, logger);
  const sniCallback = (serverName: string, callback: (error: Error | null, context?: SecureContext) => void) => {
    if (routes.match(serverName) === undefined) {
      callback(new UnknownServerNameError(`no TCP proxy API serves [${serverName}]`));
      return;
    }
    callback(null, certificates.contextFor(serverName));
  };
  const server = createServer({
    ...certificates.defaultOptions(),
    ...clientAuthOptions(options.tls),
    SNICallback: sniCallback,
    allowHalfOpen: true,
  });
  certificates.attach(server);

  const raw = new Set<Socket>();
  const tunnels = new Set<TLSSocket>();
  server.on('connection', (socket: Socket) => {
    raw.add(socket);
    socket.once('close', () => raw.delete(socket));
  });
  server.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
    logger.debug({ err: error, remote: socket.remoteAddress }, 'TCP proxy handshake refused');
    socket.destroy();
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    // Checked again: no SNI skips the callback, and the API may have been undeployed during the handshake.
    const serverName = socket.servername;
    const route = routes.match(serverName);
    if (route === undefined) {
      logger.debug({ serverName }, 'TCP proxy connection without a matching host closed');
      socket.destroy();
      return;
    }
    tunnels.add(socket);
    void openTunnel(socket, route, observer).then((outcome) => {
      tunnels.delete(socket);
      if (outcome.error !== undefined && !outcome.connected)
        logger.warn(
          { api: outcome.apiId, endpoint: outcome.endpoint, err: outcome.error },
          'TCP proxy upstream failed',
        );
    });
  });

  return {
    server,
    reloadCertificates() {
      const error = certificates.reload();
      if (error !== undefined) throw error;
    },
    get activeTunnels() {
      return tunnels.size;
    },
    async drain(deadlineMs) {
      certificates.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          if (tunnels.size > 0) logger.warn({ tunnels: tunnels.size }, 'TCP tunnels still open at the drain deadline');
          for (const socket of tunnels) socket.destroy();
          for (const socket of raw) socket.destroy();
          resolve();
        }, deadlineMs);
      });
      await Promise.race([closed, expired]);
      clearTimeout(timer);
      await closed;
    },
  };
}
