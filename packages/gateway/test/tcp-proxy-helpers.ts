/**
 * Helpers for the TCP proxy tests: Gravitee-shaped TCP proxy API definitions, TCP and TLS echo upstreams (node:net,
 * node:tls), a TLS client that sends bytes and collects the answer, and a TCP proxy server on a free port.
 */
import { once } from 'node:events';
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type ApiDefinition, type JsonObject, validateApiDefinition } from '@apim/core';
import { pino } from 'pino';
import {
  type CompletedRequest,
  createTcpProxyServer,
  type TcpProxyServer,
  TcpRouteTable,
  type TlsListenerOptions,
} from '../src/index.js';
import type { Cleanups } from './server-helpers.js';
import type { TestCertificates } from './tls-helpers.js';

/** One tcp-proxy endpoint target. */
export interface TcpTarget {
  host?: string;
  port: number;
  secured?: boolean;
}

/** A v4 TCP proxy API, as Gravitee exports it: a TCP listener with hosts, a tcp-proxy endpoint group. */
export function tcpApi(id: string, hosts: string[], targets: TcpTarget[], shared: JsonObject = {}): JsonObject {
  return {
    id,
    name: id,
    apiVersion: '1.0',
    definitionVersion: 'V4',
    type: 'PROXY',
    listeners: [{ type: 'TCP', hosts, entrypoints: [{ type: 'tcp-proxy', qos: 'AUTO', configuration: {} }] }],
    endpointGroups: [
      {
        name: 'Default TCP proxy group',
        type: 'tcp-proxy',
        loadBalancer: { type: 'ROUND_ROBIN' },
        sharedConfiguration: { tcp: { connectTimeout: 3000, reconnectAttempts: 0 }, ...shared },
        endpoints: targets.map((target, i) => ({
          name: `tcp-${i}`,
          type: 'tcp-proxy',
          weight: 1,
          inheritConfiguration: true,
          configuration: { target: { host: target.host ?? '127.0.0.1', port: target.port, secured: !!target.secured } },
        })),
      },
    ],
    flows: [],
    analytics: { enabled: false },
  };
}

/** Validates a definition with core's validator (defaults applied), as a deployment does. */
export function validTcpApi(definition: JsonObject): ApiDefinition {
  const result = validateApiDefinition(definition);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

/** An upstream that echoes every byte back; `onEnd` runs when the client half-closes (default: end too). */
export async function echoUpstream(
  cleanups: Cleanups,
  options: { tls?: { cert: string; key: string }; onEnd?: (socket: Socket) => void } = {},
): Promise<{ port: number; connections: () => number; server: Server }> {
  let count = 0;
  const handle = (socket: Socket) => {
    count++;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => socket.write(chunk));
    socket.on('end', () => (options.onEnd ? options.onEnd(socket) : socket.end()));
  };
  const server = options.tls
    ? createTlsServer({ ...options.tls, allowHalfOpen: true }, handle)
    : createNetServer({ allowHalfOpen: true }, handle);
  // A half-open upstream keeps a connection whose handshake the gateway refused: cut what is left at cleanup.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.add(async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
  });
  return { port: (server.address() as AddressInfo).port, connections: () => count, server };
}

/** A port nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP proxy server on 127.0.0.1 (free port) over a fresh route table, drained after the test. */
export async function startTcpProxy(
  cleanups: Cleanups,
  certs: TestCertificates,
  tls: Partial<TlsListenerOptions> = {},
): Promise<{ port: number; table: TcpRouteTable; proxy: TcpProxyServer; completed: CompletedRequest[] }> {
  const table = new TcpRouteTable();
  const completed: CompletedRequest[] = [];
  const proxy = createTcpProxyServer(
    table,
    pino({ level: 'silent' }),
    { tls: { certificates: [{ cert: certs.server.cert, key: certs.server.key }], ...tls } },
    { requestCompleted: (request) => completed.push(request) },
  );
  proxy.server.listen(0, '127.0.0.1');
  await once(proxy.server, 'listening');
  cleanups.add(() => proxy.drain(0));
  return { port: (proxy.server.address() as AddressInfo).port, table, proxy, completed };
}

/** A TLS client of the proxy, trusting the test CA, with the given SNI. Resolves once the handshake is done. */
export async function tcpClient(port: number, servername: string | undefined, ca: string): Promise<TLSSocket> {
  const socket = tlsConnect({ host: '127.0.0.1', port, servername, ca, allowHalfOpen: true } as never);
  socket.on('error', () => undefined);
  await once(socket, 'secureConnect');
  return socket;
}

/** Writes `payload`, half-closes, and collects everything until the socket ends. */
export async function exchange(socket: TLSSocket, payload: Buffer | string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(socket, 'end');
  socket.end(payload);
  await ended;
  return Buffer.concat(chunks);
}

/** Resolves with how the socket closed: `'end'` after a clean close, `'error'` / `'close'` otherwise. */
export function closeOf(socket: Socket): Promise<'end' | 'error' | 'close'> {
  return new Promise((resolve) => {
    socket.once('end', () => resolve('end'));
    socket.once('error', () => resolve('error'));
    socket.once('close', () => resolve('close'));
    socket.resume();
  });
}

/** Waits until `condition` holds (polling every 10 ms, up to 2 s): reports arrive once both sockets are closed. */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}
