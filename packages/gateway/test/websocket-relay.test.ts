import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ClientOptions, WebSocket, WebSocketServer } from 'ws';
import type { CompletedRequest } from '../src/index.js';
import { snapshot } from './helpers.js';
import { type Cleanups, cleanupList, echoUpstream } from './server-helpers.js';
import { makeCertificates, startListener, type TestCertificates } from './tls-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());
let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());

/** A `ws` echo server that records the upgrade requests it receives. */
async function echoServer(cleanups: Cleanups): Promise<{ url: string; upgrades: IncomingMessage[] }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  const upgrades: IncomingMessage[] = [];
  server.on('connection', (socket, req) => {
    upgrades.push(req);
    socket.on('message', (data, binary) => socket.send(binary ? data : `echo:${data.toString()}`, { binary }));
  });
  cleanups.add(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`, upgrades };
}

function open(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, options);
  cleanups.add(async () => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error('refused'), { status: res.statusCode })),
    );
  });
}

async function exchange(ws: WebSocket, message: string): Promise<string> {
  ws.send(message);
  const [data] = await once(ws, 'message');
  return (data as Buffer).toString();
}

describe('WebSocket relay', () => {
  it('routes the upgrade, rewrites path and headers, and relays messages both ways', async () => {
    const up = await echoServer(cleanups);
    const completed: CompletedRequest[] = [];
    const gw = await startListener(
      cleanups,
      { observer: { requestCompleted: (request) => completed.push(request) } },
      snapshot({ paths: [{ path: '/ws' }], targets: [up.url] }),
    );
    const ws = await open(`ws://127.0.0.1:${gw.port}/ws/chat?room=1`, { headers: { 'x-client': 'a' } });
    expect(await exchange(ws, 'hello')).toBe('echo:hello');
    expect(await exchange(ws, 'again')).toBe('echo:again');
    const upgrade = up.upgrades[0]!;
    expect(upgrade.url).toBe('/base/chat?room=1');
    expect(upgrade.headers).toMatchObject({
      'x-client': 'a',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': `127.0.0.1:${gw.port}`,
      upgrade: 'websocket',
    });
    expect(upgrade.headers['x-gravitee-request-id']).toBeDefined();
    ws.close();
    await once(ws, 'close');
    await expect.poll(() => completed.length).toBe(1);
    expect(completed[0]).toMatchObject({ apiId: 'api-1', status: 101, method: 'GET', errorKey: undefined });
  });

  it('answers 404 to an upgrade no API listens to, 502 when the endpoint is down', async () => {
    const gw = await startListener(
      cleanups,
      {},
      snapshot({ paths: [{ path: '/ws' }], targets: ['http://127.0.0.1:9'] }),
    );
    await expect(open(`ws://127.0.0.1:${gw.port}/unknown`)).rejects.toMatchObject({ status: 404 });
    await expect(open(`ws://127.0.0.1:${gw.port}/ws`)).rejects.toMatchObject({ status: 502 });
  });

  it('relays the endpoint refusing the upgrade', async () => {
    const up = await echoUpstream(cleanups, (_req, res) => {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('no websocket here');
    });
    const gw = await startListener(cleanups, {}, snapshot({ paths: [{ path: '/ws' }], targets: [up.url] }));
    await expect(open(`ws://127.0.0.1:${gw.port}/ws`)).rejects.toMatchObject({ status: 403 });
  });

  it('relays wss through the TLS listener (HTTP/1.1 by ALPN on the HTTP/2 server)', async () => {
    const up = await echoServer(cleanups);
    const gw = await startListener(
      cleanups,
      { tls: { certificates: [{ cert: certs.server.cert, key: certs.server.key }] } },
      snapshot({ paths: [{ path: '/ws' }], targets: [up.url] }),
    );
    const ws = await open(`wss://127.0.0.1:${gw.port}/ws`, {
      ca: certs.ca,
      servername: 'api.example.com',
    } as ClientOptions);
    expect(await exchange(ws, 'secure')).toBe('echo:secure');
    expect(up.upgrades[0]!.headers['x-forwarded-proto']).toBe('https');
  });

  it('a drain cuts relayed connections at its deadline', async () => {
    const up = await echoServer(cleanups);
    const gw = await startListener(cleanups, {}, snapshot({ paths: [{ path: '/ws' }], targets: [up.url] }));
    const ws = await open(`ws://127.0.0.1:${gw.port}/ws`);
    expect(await exchange(ws, 'x')).toBe('echo:x');
    const started = Date.now();
    await gw.listener.drain(100);
    expect(Date.now() - started).toBeLessThan(2_000);
    await once(ws, 'close');
  });

  it('websocket: false leaves upgrades to Node (no relay)', async () => {
    const up = await echoServer(cleanups);
    const gw = await startListener(
      cleanups,
      { websocket: false },
      snapshot({ paths: [{ path: '/ws' }], targets: [up.url] }),
    );
    await expect(open(`ws://127.0.0.1:${gw.port}/ws`)).rejects.toBeDefined();
    expect(up.upgrades).toHaveLength(0);
  });
});
