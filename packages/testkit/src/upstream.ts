import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the echo upstream saw of one request. */
export interface RecordedRequest {
  method: string;
  /** Raw request target (path and query), as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface EchoUpstream {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  server: Server;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/**
 * Default behaviour of the echo upstream: answers 200 with a JSON description of the request (`method`, `url`,
 * `headers`, `bodyLength`, `bodySha256`) unless the request carries a body, in which case the body is echoed back
 * verbatim with the request's content type, so a test can compare bytes both ways.
 *
 * The special header `x-echo-status` sets the response status; `x-echo-delay-ms` delays the response.
 */
const echoHandler: UpstreamHandler = (req, res, body) => {
  const status = Number(req.headers['x-echo-status'] ?? 200);
  const delay = Number(req.headers['x-echo-delay-ms'] ?? 0);
  const send = () => {
    res.setHeader('x-upstream-method', req.method ?? '');
    res.setHeader('x-upstream-url', req.url ?? '');
    if (body.length > 0) {
      res.writeHead(status, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
      res.end(body);
      return;
    }
    const payload = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyLength: body.length });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(payload);
  };
  if (delay > 0) setTimeout(send, delay);
  else send();
};

/**
 * Starts a real HTTP/1.1 server on 127.0.0.1 (random port) that records every request and, by default, echoes it.
 *
 * @example
 * const upstream = await startEchoUpstream();
 * // ... point an endpoint at upstream.url ...
 * await upstream.close();
 */
export async function startEchoUpstream(handler: UpstreamHandler = echoHandler): Promise<EchoUpstream> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
