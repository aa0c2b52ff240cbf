import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { hashApiKey, type JsonObject } from '@apim/core';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ClientOptions, WebSocket, WebSocketServer } from 'ws';
import { ApiRegistry, ApiRuntime, type CompletedRequest, createGatewayListener } from '../src/index.js';
import { SubscriptionRegistry } from '../src/security/subscription-registry.js';
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

/**
 * A `ws` echo server over https (certificate `pair`); with `clientCa`, the TLS handshake requires a client certificate
 * that CA issued. Each upgrade is recorded with the subject of the client certificate presented (if any).
 */
async function wssEchoServer(
  cleanups: Cleanups,
  pair: { cert: string; key: string },
  clientCa?: string,
): Promise<{ port: number; peers: (string | string[] | undefined)[] }> {
  const server = createHttpsServer({
    cert: pair.cert,
    key: pair.key,
    ...(clientCa === undefined ? {} : { ca: clientCa, requestCert: true, rejectUnauthorized: true }),
  });
  const wss = new WebSocketServer({ server });
  const peers: (string | string[] | undefined)[] = [];
  wss.on('connection', (socket, req) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    peers.push(peer?.subject?.CN);
    socket.on('message', (data) => socket.send(`echo:${data.toString()}`));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.add(async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as AddressInfo).port, peers };
}

/** A snapshot of one endpoint at `target` with the given `ssl` settings. */
function withSsl(target: string, ssl?: JsonObject): JsonObject {
  const definition = snapshot({ paths: [{ path: '/ws' }], targets: [target] });
  const group = (definition.api as { endpointGroups: { sharedConfiguration: JsonObject }[] }).endpointGroups[0]!;
  if (ssl !== undefined) group.sharedConfiguration.ssl = ssl;
  return definition;
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

describe('WebSocket relay to TLS endpoints', () => {
  it("refuses an endpoint whose certificate is not trusted (502), and relays with the endpoint's trust store", async () => {
    const self = certs.selfSigned('wss-self', ['localhost']);
    const up = await wssEchoServer(cleanups, self);
    const target = `https://localhost:${up.port}/echo`;
    const refused = await startListener(cleanups, {}, withSsl(target));
    await expect(open(`ws://127.0.0.1:${refused.port}/ws`)).rejects.toMatchObject({ status: 502 });
    const gw = await startListener(cleanups, {}, withSsl(target, { trustStore: { type: 'PEM', content: self.cert } }));
    expect(await exchange(await open(`ws://127.0.0.1:${gw.port}/ws`), 'trusted')).toBe('echo:trusted');
    const all = await startListener(cleanups, {}, withSsl(target, { trustAll: true }));
    expect(await exchange(await open(`ws://127.0.0.1:${all.port}/ws`), 'any')).toBe('echo:any');
  });

  it('verifies the host name unless hostnameVerifier is false', async () => {
    const self = certs.selfSigned('wss-name', ['localhost']);
    const up = await wssEchoServer(cleanups, self);
    // Called by IP address: the certificate names `localhost` only.
    const target = `https://127.0.0.1:${up.port}`;
    const trust = { type: 'PEM', content: self.cert };
    const strict = await startListener(cleanups, {}, withSsl(target, { trustStore: trust }));
    await expect(open(`ws://127.0.0.1:${strict.port}/ws`)).rejects.toMatchObject({ status: 502 });
    const lax = await startListener(cleanups, {}, withSsl(target, { trustStore: trust, hostnameVerifier: false }));
    expect(await exchange(await open(`ws://127.0.0.1:${lax.port}/ws`), 'lax')).toBe('echo:lax');
  });

  it('presents the client certificate of the key store to an endpoint that requires one', async () => {
    const local = certs.issue('wss-upstream', 'localhost', ['localhost']);
    const up = await wssEchoServer(cleanups, local, certs.ca);
    const target = `https://localhost:${up.port}`;
    const trustStore = { type: 'PEM', content: certs.ca };
    const anonymous = await startListener(cleanups, {}, withSsl(target, { trustStore }));
    await expect(open(`ws://127.0.0.1:${anonymous.port}/ws`)).rejects.toMatchObject({ status: 502 });
    const keyStore = { type: 'PEM', certContent: certs.client.cert, keyContent: certs.client.key };
    const gw = await startListener(cleanups, {}, withSsl(target, { trustStore, keyStore }));
    expect(await exchange(await open(`ws://127.0.0.1:${gw.port}/ws`), 'mtls')).toBe('echo:mtls');
    expect(up.peers).toEqual(['client-app']);
  });
});

describe('WebSocket relay and plans', () => {
  it('serves an API-key plan: the key selects the plan and is not forwarded; a missing or wrong key is refused', async () => {
    const up = await echoServer(cleanups);
    const subscriptions = new SubscriptionRegistry();
    subscriptions.putSubscription({
      id: 'sub-ws',
      environmentId: 'DEFAULT',
      apiId: 'ws-keys',
      planId: 'plan-0',
      applicationId: 'app-ws',
      clientId: undefined,
      status: 'ACCEPTED',
      startingAt: undefined,
      endingAt: undefined,
    });
    subscriptions.putApiKey({
      id: 'key-ws',
      keyHash: hashApiKey('a-websocket-client-key'),
      applicationId: 'app-ws',
      subscriptionIds: ['sub-ws'],
      revoked: false,
      paused: false,
      expireAt: undefined,
    });
    const definition = snapshot({ id: 'ws-keys', paths: [{ path: '/ws' }], targets: [up.url], planType: 'API_KEY' });
    const registry = new ApiRegistry();
    registry.deploy(
      new ApiRuntime(
        { apiId: 'ws-keys', environmentId: 'DEFAULT', deploymentId: 'd1', revision: 1, definition },
        pino({ level: 'silent' }),
        { security: { subscriptions } },
      ),
    );
    const listener = createGatewayListener(registry, pino({ level: 'silent' }), {});
    listener.server.listen(0, '127.0.0.1');
    await once(listener.server, 'listening');
    cleanups.add(async () => {
      await listener.drain(0);
      await registry.close(1_000);
    });
    const port = (listener.server.address() as AddressInfo).port;
    const ws = await open(`ws://127.0.0.1:${port}/ws/chat`, {
      headers: { 'X-Gravitee-Api-Key': 'a-websocket-client-key' },
    });
    expect(await exchange(ws, 'hello')).toBe('echo:hello');
    expect(up.upgrades[0]!.headers['x-gravitee-api-key']).toBeUndefined();
    await expect(open(`ws://127.0.0.1:${port}/ws/chat`)).rejects.toMatchObject({ status: 401 });
    await expect(
      open(`ws://127.0.0.1:${port}/ws/chat`, { headers: { 'X-Gravitee-Api-Key': 'not-the-key' } }),
    ).rejects.toMatchObject({ status: 401 });
    expect(up.upgrades).toHaveLength(1);
  });
});
