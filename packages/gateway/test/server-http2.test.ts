import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { type ClientHttp2Session, connect, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { send, snapshot } from './helpers.js';
import { cleanupList, echoUpstream } from './server-helpers.js';
import { makeCertificates, startListener, type TestCertificates } from './tls-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());
let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());

function h2get(
  session: ClientHttp2Session,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path, ...headers });
    let response: IncomingHttpHeaders = {};
    let body = '';
    stream.on('response', (h) => {
      response = h;
    });
    stream.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    stream.on('end', () => resolve({ headers: response, body }));
    stream.on('error', reject);
    stream.end();
  });
}

describe('HTTP/2 listener', () => {
  it('serves HTTP/2 over TLS (ALPN h2): pseudo-headers are not forwarded, :authority routes and is the client host', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startListener(
      cleanups,
      { tls: { certificates: [{ cert: certs.server.cert, key: certs.server.key }] } },
      snapshot({ paths: [{ host: 'api.example.com', path: '/h2' }], targets: [up.url] }),
    );
    const session = connect(`https://127.0.0.1:${gw.port}`, { ca: certs.ca, servername: 'api.example.com' });
    cleanups.add(async () => void session.close());
    const authority = `api.example.com:${gw.port}`;
    const answer = await h2get(session, '/h2/items?x=1', { ':authority': authority, 'x-custom': 'yes' });
    expect(answer.headers[':status']).toBe(200);
    expect(answer.headers.connection).toBeUndefined();
    expect(answer.headers['x-gravitee-request-id']).toBeDefined();
    const seen = JSON.parse(answer.body);
    expect(seen.url).toBe('/items?x=1');
    expect(Object.keys(seen.headers).filter((name) => name.startsWith(':'))).toEqual([]);
    expect(seen.headers).toMatchObject({
      'x-custom': 'yes',
      'x-forwarded-host': authority,
      'x-forwarded-proto': 'https',
      host: up.url.slice('http://'.length),
      // Received over HTTP/2, whose version is "2" (RFC 9110 §7.6.3, RFC 9113 §3).
      via: '2 apim-gateway',
    });
    // The upstream answered over HTTP/1.1.
    expect(answer.headers.via).toBe('1.1 apim-gateway');
    expect(session.alpnProtocol).toBe('h2');
    // Unknown host on the same connection: the router's 404.
    const missing = await h2get(session, '/h2', { ':authority': 'nope.example.com' });
    expect(missing.headers[':status']).toBe(404);
  });

  it('h2c with prior knowledge shares the cleartext port with HTTP/1.1', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startListener(
      cleanups,
      { http2Cleartext: true },
      snapshot({ paths: [{ path: '/h2c' }], targets: [up.url] }),
      snapshot({ id: 'api-down', paths: [{ path: '/down' }], targets: ['http://127.0.0.1:9'] }),
    );
    const session = connect(`http://127.0.0.1:${gw.port}`);
    cleanups.add(async () => void session.close());
    const [a, b] = await Promise.all([h2get(session, '/h2c/a'), h2get(session, '/h2c/b')]);
    expect(a.headers[':status']).toBe(200);
    expect(JSON.parse(a.body).url).toBe('/a');
    expect(JSON.parse(b.body).url).toBe('/b');
    // A gateway failure (502 carries `Connection: close` on HTTP/1.1) is answered without connection headers.
    const down = await h2get(session, '/down');
    expect(down.headers[':status']).toBe(502);
    expect(down.headers.connection).toBeUndefined();
    const http1 = await send(gw.port, { path: '/h2c/c' });
    expect(http1.status).toBe(200);
    expect(JSON.parse(http1.body.toString()).url).toBe('/c');
    // A POST (starts with `P` like the preface) is still HTTP/1.1.
    const post = await send(gw.port, { method: 'POST', path: '/h2c/d', body: 'hello' });
    expect(post.status).toBe(200);
    expect(post.body.toString()).toBe('hello');
  });

  it('without http2Cleartext the cleartext port is HTTP/1.1 only', async () => {
    const gw = await startListener(cleanups, {});
    const session = connect(`http://127.0.0.1:${gw.port}`);
    session.on('error', () => {});
    cleanups.add(async () => void session.destroy());
    await expect(h2get(session, '/')).rejects.toThrow();
  });

  it('http2: false serves HTTP/1.1 only over TLS', async () => {
    const gw = await startListener(cleanups, {
      tls: { certificates: [{ cert: certs.server.cert, key: certs.server.key }] },
      http2: false,
    });
    const session = connect(`https://127.0.0.1:${gw.port}`, { ca: certs.ca, servername: 'api.example.com' });
    session.on('error', () => {});
    cleanups.add(async () => void session.destroy());
    await expect(h2get(session, '/')).rejects.toThrow();
  });

  it('drains HTTP/2 sessions: an in-flight stream completes, then the listener closes', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startListener(
      cleanups,
      { http2Cleartext: true },
      snapshot({ paths: [{ path: '/h2c' }], targets: [up.url] }),
    );
    const session = connect(`http://127.0.0.1:${gw.port}`);
    session.on('error', () => {});
    const pending = h2get(session, '/h2c/slow', { 'x-echo-delay-ms': '200' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const drained = gw.listener.drain(5_000);
    expect((await pending).headers[':status']).toBe(200);
    await drained;
    expect(gw.listener.server.listening).toBe(false);
  });
});

describe('HTTP/2 timeouts', () => {
  it('answers 408 to a stream whose request body is not complete within requestTimeoutMs, and aborts its upstream call', async () => {
    // An upstream that records how each request ended: its body complete, or cut while streaming.
    const outcomes: string[] = [];
    const upstream = createHttpServer((req, res) => {
      req.on('close', () => outcomes.push(req.complete ? 'complete' : 'cut'));
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    cleanups.add(async () => {
      upstream.closeAllConnections();
      upstream.close();
    });
    const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const tlsOptions = { certificates: [{ cert: certs.server.cert, key: certs.server.key }] };
    for (const tls of [false, true]) {
      outcomes.length = 0;
      const gw = await startListener(
        cleanups,
        { ...(tls ? { tls: tlsOptions } : { http2Cleartext: true }), requestTimeoutMs: 300, headersTimeoutMs: 300 },
        snapshot({ paths: [{ path: '/slow' }], targets: [target] }),
      );
      const session = tls
        ? connect(`https://127.0.0.1:${gw.port}`, { ca: certs.ca, servername: 'api.example.com' })
        : connect(`http://127.0.0.1:${gw.port}`);
      cleanups.add(async () => void session.close());
      const started = Date.now();
      const stream = session.request({ ':path': '/slow', ':method': 'POST', 'content-type': 'text/plain' });
      stream.write('part of a body that never ends');
      const status = await new Promise<number>((resolve, reject) => {
        stream.on('response', (headers) => resolve(Number(headers[':status'])));
        stream.on('error', reject);
      });
      expect(status).toBe(408);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      stream.destroy();
      await vi.waitFor(() => expect(outcomes).toEqual(['cut']));
      // The session survives: the next stream is served.
      expect((await h2get(session, '/slow/next')).headers[':status']).toBe(200);
    }
  });

  it('a complete request is not cut by the request timeout, however long the upstream takes', async () => {
    const up = await echoUpstream(cleanups, (_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('late'), 500);
    });
    const gw = await startListener(
      cleanups,
      { http2Cleartext: true, requestTimeoutMs: 200, headersTimeoutMs: 200 },
      snapshot({ paths: [{ path: '/long' }], targets: [up.url] }),
    );
    const session = connect(`http://127.0.0.1:${gw.port}`);
    cleanups.add(async () => void session.close());
    expect((await h2get(session, '/long')).headers[':status']).toBe(200);
  });

  it('closes an idle session after keepAliveTimeoutMs with GOAWAY', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startListener(
      cleanups,
      { http2Cleartext: true, keepAliveTimeoutMs: 300 },
      snapshot({ paths: [{ path: '/idle' }], targets: [up.url] }),
    );
    const session = connect(`http://127.0.0.1:${gw.port}`);
    cleanups.add(async () => void session.destroy());
    const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)));
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    expect((await h2get(session, '/idle')).headers[':status']).toBe(200);
    const idleFrom = Date.now();
    expect(await goaway).toBe(0);
    await closed;
    expect(Date.now() - idleFrom).toBeGreaterThanOrEqual(250);
  });
});
