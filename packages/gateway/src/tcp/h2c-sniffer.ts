/**
 * Cleartext HTTP/2 with prior knowledge (h2c, RFC 9113 §3.3, https://www.rfc-editor.org/rfc/rfc9113#section-3.3) next
 * to HTTP/1.1 on one port. Node's cleartext `http2.createServer` does not fall back to HTTP/1.1 (its `allowHTTP1`
 * only works with TLS, where ALPN decides), so the gateway's HTTP/1.1 server keeps the port and looks at the first
 * bytes of each connection: the HTTP/2 client preface starts with `PRI ` (RFC 9113 §3.4), a method no HTTP/1.1
 * client sends, and those connections are handed to an HTTP/2 server that never listens itself.
 */
import type { Server } from 'node:http';
import type { Http2Server } from 'node:http2';
import type { Socket } from 'node:net';
import { markHttp2Socket } from './connection-tracker.js';

const PRI = Buffer.from('PRI ');

type ConnectionListener = (this: Server, socket: Socket) => void;

/** Reads the first bytes of a connection, then puts them back and tells whether they are an HTTP/2 preface. */
function sniff(socket: Socket, timeoutMs: number, decide: (http2: boolean) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  const done = (http2: boolean) => {
    socket.removeListener('data', onData);
    socket.removeListener('error', onError);
    socket.setTimeout(0);
    socket.pause();
    if (buffered.length > 0) socket.unshift(buffered);
    decide(http2);
    if (!http2) socket.resume();
  };
  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const n = Math.min(buffered.length, PRI.length);
    const prefix = buffered.subarray(0, n).equals(PRI.subarray(0, n));
    if (prefix && n < PRI.length) return; // may still be a preface
    done(prefix);
  };
  const onError = () => socket.destroy();
  socket.on('data', onData);
  socket.on('error', onError);
  // A client that sends nothing is closed like one that sends its headers too slowly.
  if (timeoutMs > 0) socket.setTimeout(timeoutMs, () => socket.destroy());
}

/**
 * Makes an HTTP/1.1 server also serve h2c with prior knowledge: connections starting with the HTTP/2 preface go to
 * `http2`. The server's other `connection` listeners (connection counting) still see every connection.
 *
 * @example
 * const h2 = http2.createServer({}, handler);
 * serveH2cPriorKnowledge(httpServer, h2, 30_000);
 */
export function serveH2cPriorKnowledge(server: Server, http2: Http2Server, timeoutMs: number): void {
  const listeners = server.listeners('connection') as ConnectionListener[];
  // Node's own HTTP/1.1 connection listener is the first one, registered by the Server constructor.
  const [http1, ...others] = listeners;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    for (const listener of others) listener.call(server, socket);
    sniff(socket, timeoutMs, (isHttp2) => {
      if (isHttp2) {
        markHttp2Socket(socket);
        http2.emit('connection', socket);
      } else http1!.call(server, socket);
    });
  });
}
