import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EchoUpstream, startEchoUpstream } from '@apim/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { headerNames, send, snapshot, startTestGateway, type TestGateway } from './helpers.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function upstream(handler?: Parameters<typeof startEchoUpstream>[0]): Promise<EchoUpstream> {
  const server = await startEchoUpstream(handler);
  cleanups.push(() => server.close());
  return server;
}

async function gateway(...definitions: Parameters<typeof startTestGateway>): Promise<TestGateway> {
  const gw = await startTestGateway(...definitions);
  cleanups.push(() => gw.close());
  return gw;
}

describe('proxying a request', () => {
  it('forwards method, path after the context path, raw query and a body, and rewrites the headers', async () => {
    const up = await upstream();
    const gw = await gateway(snapshot({ paths: [{ path: '/proxy-api' }], targets: [`${up.url}/echo`] }));
    const res = await send(gw.port, {
      method: 'PATCH',
      path: '/proxy-api/a/b?x=1&y=%20z&x=2',
      headers: [
        'Host', 'gateway.example.com:8082',
        'Connection', 'keep-alive, X-Hop',
        'X-Hop', 'must not pass',
        'Keep-Alive', 'timeout=5',
        'TE', 'trailers',
        'Trailer', 'X-Checksum',
        'Upgrade', 'h2c',
        'Proxy-Authorization', 'Basic c2VjcmV0',
        'X-Forwarded-For', '203.0.113.9',
        'X-Custom', 'one',
        'X-Custom', 'two',
        'Content-Type', 'text/plain',
        'Transfer-Encoding', 'chunked',
      ], // biome-ignore format: header pairs
      body: 'hello',
    });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('hello');
    const seen = up.requests[0]!;
    expect(seen.method).toBe('PATCH');
    expect(seen.url).toBe('/echo/a/b?x=1&y=%20z&x=2');
    expect(seen.body.toString()).toBe('hello');
    for (const hop of ['x-hop', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-authorization']) {
      expect(seen.headers[hop]).toBeUndefined();
    }
    expect(seen.headers.connection).not.toContain('x-hop');
    expect(seen.headers.host).toBe(`127.0.0.1:${up.port}`);
    expect(seen.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe('gateway.example.com:8082');
    expect(seen.headers['x-custom']).toBe('one, two');
    // The client's chunked framing is not forwarded as such: undici frames the body itself (chunked while streaming,
    // a content-length when the whole body had already arrived).
    expect(seen.headers['transfer-encoding'] === 'chunked' || seen.headers['content-length'] === '5').toBe(true);
  });

  it('joins the target path and the request rest as Gravitee does', async () => {
    const up = await upstream();
    const gw = await gateway(snapshot({ paths: [{ path: '/proxy-api' }], targets: [`${up.url}/echo`] }));
    for (const [path, expected] of [
      ['/proxy-api', '/echo'],
      ['/proxy-api/', '/echo/'],
      ['/proxy-api?q=1', '/echo?q=1'],
    ]) {
      const res = await send(gw.port, { path: path! });
      expect(res.headers['x-upstream-url']).toBe(expected);
    }
    const root = await upstream();
    const gw2 = await gateway(snapshot({ paths: [{ path: '/r' }], targets: [root.url] }));
    expect((await send(gw2.port, { path: '/r' })).headers['x-upstream-url']).toBe('/');
    expect((await send(gw2.port, { path: '/r/x?y' })).headers['x-upstream-url']).toBe('/x?y');
  });

  it('removes hop-by-hop headers from the response, including those named in Connection', async () => {
    const up = await upstream((_req, res) => {
      res.writeHead(201, {
        Connection: 'keep-alive, X-Resp-Hop',
        'X-Resp-Hop': 'secret',
        'Keep-Alive': 'timeout=5',
        'Proxy-Authenticate': 'Basic',
        Trailer: 'X-Checksum',
        'X-Kept': 'yes',
        'Set-Cookie': ['a=1', 'b=2'],
      });
      res.end('done');
    });
    const gw = await gateway(snapshot({ paths: [{ path: '/p' }], targets: [up.url] }));
    const res = await send(gw.port, { path: '/p', headers: { connection: 'keep-alive' } });
    expect(res.status).toBe(201);
    expect(res.body.toString()).toBe('done');
    const names = headerNames(res.rawHeaders);
    for (const hop of ['x-resp-hop', 'proxy-authenticate', 'trailer']) expect(names).not.toContain(hop);
    expect(res.headers['keep-alive']).not.toBe('timeout=5');
    expect(res.headers['x-kept']).toBe('yes');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('carries a 1 MB request body and a 1 MB response body intact', async () => {
    const up = await upstream();
    const gw = await gateway(snapshot({ paths: [{ path: '/big' }], targets: [up.url] }));
    const payload = randomBytes(1024 * 1024);
    const res = await send(gw.port, {
      method: 'POST',
      path: '/big/upload',
      headers: { 'content-type': 'application/octet-stream' },
      body: payload,
    });
    expect(res.status).toBe(200);
    expect(sha256(up.requests[0]!.body)).toBe(sha256(payload));
    expect(res.body.length).toBe(payload.length);
    expect(sha256(res.body)).toBe(sha256(payload));
  });

  it('streams both ways: the upstream answers while the request body is still being sent', async () => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.flushHeaders();
      req.on('data', (chunk: Buffer) => res.write(`echo:${chunk.toString()};`));
      req.on('end', () => res.end('end'));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      server.closeAllConnections();
      server.close();
    });
    const gw = await gateway(
      snapshot({
        paths: [{ path: '/stream' }],
        targets: [`http://127.0.0.1:${(server.address() as AddressInfo).port}`],
      }),
    );
    const received = await new Promise<string>((resolve, reject) => {
      const req = request({ port: gw.port, host: '127.0.0.1', method: 'POST', path: '/stream', agent: false });
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          // Each chunk goes out only after the previous one came back through the gateway.
          if (text === 'echo:one;') req.write('two');
          if (text === 'echo:one;echo:two;') req.end();
        });
        res.on('end', () => resolve(text));
      });
      req.flushHeaders();
      req.write('one');
    });
    expect(received).toBe('echo:one;echo:two;end');
  });
});

describe('load balancing', () => {
  it('round-robins over the primary endpoints', async () => {
    const a = await upstream();
    const b = await upstream();
    const gw = await gateway(snapshot({ paths: [{ path: '/lb' }], targets: [a.url, b.url] }));
    for (let i = 0; i < 6; i++) expect((await send(gw.port, { path: `/lb/${i}` })).status).toBe(200);
    expect(a.requests.map((r) => r.url)).toEqual(['/0', '/2', '/4']);
    expect(b.requests.map((r) => r.url)).toEqual(['/1', '/3', '/5']);
  });

  it('uses secondary endpoints only when the group has no primary one', async () => {
    const primary = await upstream();
    const backup = await upstream();
    const gw = await gateway(
      snapshot({
        id: 'mixed',
        paths: [{ path: '/mixed' }],
        targets: [backup.url, primary.url],
        secondary: [true, false],
      }),
      snapshot({ id: 'backup-only', paths: [{ path: '/backup' }], targets: [backup.url], secondary: [true] }),
    );
    for (let i = 0; i < 3; i++) await send(gw.port, { path: '/mixed' });
    expect(primary.requests).toHaveLength(3);
    expect(backup.requests).toHaveLength(0);
    expect((await send(gw.port, { path: '/backup' })).status).toBe(200);
    expect(backup.requests).toHaveLength(1);
  });
});

describe('routing', () => {
  it('routes by host, then by the longest context path', async () => {
    const any = await upstream();
    const deeper = await upstream();
    const hosted = await upstream();
    const wildcard = await upstream();
    const gw = await gateway(
      snapshot({ id: 'any', paths: [{ path: '/api' }], targets: [any.url] }),
      snapshot({ id: 'deeper', paths: [{ path: '/api/v2' }], targets: [deeper.url] }),
      snapshot({ id: 'hosted', paths: [{ host: 'shop.example.com', path: '/api' }], targets: [hosted.url] }),
      snapshot({ id: 'wild', paths: [{ host: '*.example.org', path: '/' }], targets: [wildcard.url] }),
    );
    await send(gw.port, { path: '/api/v2/orders', headers: { host: 'other.example.com' } });
    await send(gw.port, { path: '/api/v1/orders', headers: { host: 'other.example.com' } });
    await send(gw.port, { path: '/api/v2/orders', headers: { host: 'SHOP.example.com:8082' } });
    await send(gw.port, { path: '/api/x', headers: { host: 'eu.example.org' } });
    expect(deeper.requests.map((r) => r.url)).toEqual(['/orders']);
    expect(any.requests.map((r) => r.url)).toEqual(['/v1/orders']);
    expect(hosted.requests.map((r) => r.url)).toEqual(['/v2/orders']);
    expect(wildcard.requests.map((r) => r.url)).toEqual(['/api/x']);
    const miss = await send(gw.port, { path: '/apix', headers: { accept: 'application/json' } });
    expect(miss.status).toBe(404);
    expect(miss.headers['content-type']).toBe('text/plain');
    expect(miss.body.toString()).toBe('No context-path matches the request URI.');
  });
});
