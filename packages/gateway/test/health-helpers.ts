/**
 * Helpers of the health check, failover and upstream client tests: upstreams whose behaviour a test switches at run
 * time, and snapshot edits for `services.healthCheck` and `failover`.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createH2cServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { JsonObject } from '@apim/core';

/** What a switchable upstream does: answer, answer its health check with DOWN / 500, or hang. */
export type UpstreamMode = 'up' | 'down' | 'error' | 'slow';

/** An upstream answering `{ "name": ... }`, and `{ "status": "UP" | "DOWN" }` on `/health`. */
export interface SwitchableUpstream {
  readonly url: string;
  readonly port: number;
  mode: UpstreamMode;
  /** Requests received, health checks excluded. */
  hits: number;
  healthChecks: number;
  /** The last health check request. */
  lastHealth?: { method: string; url: string; headers: IncomingMessage['headers'] };
  close(): Promise<void>;
}

/**
 * Starts a switchable upstream named `name`: HTTP/1.1, or with `h2c` a cleartext HTTP/2 server (prior knowledge only:
 * HTTP/1.1 requests get no answer it understands), as gRPC servers are.
 */
export async function switchableUpstream(
  name: string,
  mode: UpstreamMode = 'up',
  port = 0,
  protocol: 'http/1.1' | 'h2c' = 'http/1.1',
): Promise<SwitchableUpstream> {
  const state: Pick<SwitchableUpstream, 'mode' | 'hits' | 'healthChecks' | 'lastHealth'> = {
    mode,
    hits: 0,
    healthChecks: 0,
  };
  const handle = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    const health = req.url?.startsWith('/health') === true;
    if (health) {
      state.healthChecks++;
      state.lastHealth = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    } else state.hits++;
    if (state.mode === 'slow') return; // never answers (the socket is destroyed at close)
    if (state.mode === 'error' && health) {
      res.writeHead(500).end();
      return;
    }
    const body = health ? { status: state.mode === 'up' ? 'UP' : 'DOWN' } : { name };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = protocol === 'h2c' ? createH2cServer(handle) : createServer(handle);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  }) as SwitchableUpstream;
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

interface EditableApi {
  failover?: JsonObject;
  endpointGroups: { services?: JsonObject; endpoints: JsonObject[] }[];
}

/** Adds a group-level `http-health-check` to a snapshot (every second by default). */
export function withHealthCheck(definition: JsonObject, configuration: JsonObject = {}): JsonObject {
  const api = definition.api as unknown as EditableApi;
  api.endpointGroups[0]!.services = {
    healthCheck: {
      enabled: true,
      type: 'http-health-check',
      configuration: { schedule: '*/1 * * * * *', target: '/health', ...configuration },
    },
  };
  return definition;
}

/** Sets the API's `failover`. */
export function withFailover(definition: JsonObject, failover: JsonObject): JsonObject {
  (definition.api as unknown as EditableApi).failover = { enabled: true, ...failover };
  return definition;
}

/** Waits until `condition` holds (polling every 20 ms). */
export async function until(condition: () => boolean, timeoutMs = 6_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
