import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type Dispatcher, Pool } from 'undici';

/** Hop-by-hop headers (RFC 9110 section 7.6.1) and host, which the pool sets for the upstream. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
]);

function endToEnd(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/**
 * The reference for what Node itself costs: node:http in front of one undici Pool to the upstream, streaming the
 * upstream body straight back with its status and end-to-end headers, and nothing else (no routing, no policies, no
 * metrics). A gateway written in Node cannot be much faster than this.
 *
 * @example
 * const server = await startBareProxy(8080, 'http://127.0.0.1:8000');
 */
export function startBareProxy(port: number, upstreamUrl: string, host = '127.0.0.1'): Promise<Server> {
  const pool = new Pool(upstreamUrl, { connections: 128, keepAliveTimeout: 60_000 });
  const server = createServer((req, res) => {
    const method = (req.method ?? 'GET') as Dispatcher.HttpMethod;
    const hasBody = method !== 'GET' && method !== 'HEAD';
    pool.stream(
      {
        path: req.url ?? '/',
        method,
        headers: endToEnd(req.headers) as Record<string, string>,
        body: hasBody ? req : null,
      },
      ({ statusCode, headers }) => {
        res.writeHead(statusCode, endToEnd(headers));
        return res;
      },
      (error) => {
        if (!error) return;
        if (res.headersSent) res.destroy(error);
        else res.writeHead(502, { 'content-type': 'application/json' }).end('{"message":"Bad gateway"}');
      },
    );
  });
  server.on('close', () => void pool.close());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' } } });
  if (!values.port || !values.upstream) {
    console.error('usage: node bare-proxy.js --port <port> --upstream <http://host:port>');
    process.exit(2);
  }
  const server = await startBareProxy(Number(values.port), values.upstream);
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  console.log(`bare proxy listening on ${values.port}`);
}
