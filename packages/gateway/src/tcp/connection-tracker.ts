/**
 * Graceful drain for the listeners Node's `http.Server` helpers do not cover (TLS with HTTP/2, h2c): HTTP/2 sessions
 * get a GOAWAY and finish their streams (RFC 9113 §6.8, https://www.rfc-editor.org/rfc/rfc9113#section-6.8); HTTP/1.1
 * connections are closed as soon as they are idle; whatever remains at the deadline is destroyed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse, Http2Session } from 'node:http2';
import type { Server as NetServer, Socket } from 'node:net';

interface Tracked {
  active: number;
}

const http2Sockets = new WeakSet<object>();

/** Marks a connection handed to an HTTP/2 server (its session closes it, not the HTTP/1.1 idle rule). */
export function markHttp2Socket(socket: object): void {
  http2Sockets.add(socket);
}

function isHttp2Socket(socket: Socket): boolean {
  return http2Sockets.has(socket) || (socket as { alpnProtocol?: unknown }).alpnProtocol === 'h2';
}

/** Tracks the connections, requests and HTTP/2 sessions of a server so that it can be drained. */
export class ConnectionTracker {
  readonly #sockets = new Map<Socket, Tracked>();
  readonly #sessions = new Set<Http2Session>();
  #draining = false;

  /**
   * @param connectionEvent `secureConnection` for TLS servers (the socket requests see), else `connection`.
   */
  constructor(
    readonly server: NetServer,
    connectionEvent: 'connection' | 'secureConnection',
  ) {
    server.on(connectionEvent, (socket: Socket) => {
      this.#sockets.set(socket, { active: 0 });
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('session', (session: Http2Session) => {
      this.#sessions.add(session);
      session.on('close', () => this.#sessions.delete(session));
      if (this.#draining) session.close();
    });
    server.on('request', (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
      if (req.httpVersionMajor === 2) return;
      const socket = req.socket as Socket;
      const tracked = this.#sockets.get(socket);
      if (tracked === undefined) return;
      tracked.active++;
      res.on('close', () => {
        tracked.active--;
        if (this.#draining && tracked.active === 0) socket.destroySoon();
      });
    });
  }

  /** Stops accepting, closes idle connections and sessions gracefully, destroys the rest at the deadline. */
  async drain(deadlineMs: number): Promise<void> {
    this.#draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.#sessions) session.close();
    for (const [socket, tracked] of this.#sockets) {
      if (tracked.active === 0 && !isHttp2Socket(socket)) socket.destroySoon();
    }
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const session of this.#sessions) session.destroy();
        for (const socket of this.#sockets.keys()) socket.destroy();
        resolve();
      }, deadlineMs);
    });
    await Promise.race([closed, expired]);
    clearTimeout(timer);
    await closed;
  }
}
