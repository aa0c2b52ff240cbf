import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway } from '../src/index.js';
import { send, snapshot } from './helpers.js';
import {
  cleanupList,
  echoUpstream,
  RecordingObserver,
  rawRequest,
  startOptionsGateway,
  until,
} from './server-helpers.js';
import { memoryStore, publish } from './store-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function silentUpstream(onRequest: () => void): Promise<string> {
  const server = createServer(() => onRequest());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.add(async () => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the request observer', () => {
  it('sees a proxied 200 once, with API, plan, endpoint and both durations', async () => {
    const observer = new RecordingObserver();
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(
      cleanups,
      { observer },
      snapshot({ paths: [{ path: '/ok' }], targets: [up.url] }),
    );
    const res = await send(gw.port, { path: '/ok/x', headers: { 'x-echo-delay-ms': '30' } });
    expect(res.status).toBe(200);
    const [seen] = await observer.waitFor(1);
    expect(seen).toMatchObject({
      apiId: 'api-1',
      planId: 'plan-0',
      endpoint: 'endpoint-0',
      method: 'GET',
      status: 200,
      errorKey: undefined,
      aborted: false,
      mappedPath: undefined,
    });
    expect(seen!.endpointDurationMs).toBeGreaterThanOrEqual(25);
    expect(seen!.durationMs).toBeGreaterThanOrEqual(seen!.endpointDurationMs);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(observer.completed).toHaveLength(1);
  });

  it('sees a 404 without an API, a 502 and a 504 with their keys', async () => {
    const observer = new RecordingObserver();
    const up = await echoUpstream(cleanups);
    const down = await closedPort();
    const gw = await startOptionsGateway(
      cleanups,
      { observer },
      snapshot({ id: 'down', paths: [{ path: '/down' }], targets: [`http://127.0.0.1:${down}`] }),
      snapshot({ id: 'slow', paths: [{ path: '/slow' }], targets: [up.url], http: { readTimeout: 100 } }),
    );
    expect((await send(gw.port, { method: 'POST', path: '/nowhere', body: 'x' })).status).toBe(404);
    expect((await send(gw.port, { path: '/down' })).status).toBe(502);
    expect((await send(gw.port, { path: '/slow', headers: { 'x-echo-delay-ms': '1000' } })).status).toBe(504);
    const [notFound, badGateway, timeout] = await observer.waitFor(3);
    expect(notFound).toMatchObject({
      apiId: undefined,
      planId: undefined,
      endpoint: undefined,
      method: 'POST',
      status: 404,
      errorKey: 'GATEWAY_NO_CONTEXT_PATH_MATCH',
      endpointDurationMs: -1,
      aborted: false,
    });
    expect(badGateway).toMatchObject({
      apiId: 'down',
      endpoint: 'endpoint-0',
      status: 502,
      errorKey: 'GATEWAY_CLIENT_CONNECTION_ERROR',
      endpointDurationMs: -1,
      aborted: false,
    });
    expect(timeout).toMatchObject({
      apiId: 'slow',
      status: 504,
      errorKey: 'GATEWAY_CLIENT_CONNECTION_TIMEOUT',
      aborted: false,
    });
    expect(timeout!.durationMs).toBeGreaterThanOrEqual(90);
  });

  it('sees a client abort as status 0 and aborted, once', async () => {
    const observer = new RecordingObserver();
    let received = false;
    const target = await silentUpstream(() => {
      received = true;
    });
    const gw = await startOptionsGateway(
      cleanups,
      { observer },
      snapshot({ paths: [{ path: '/hang' }], targets: [target] }),
    );
    const client = request({ port: gw.port, host: '127.0.0.1', path: '/hang', agent: false });
    client.on('error', () => undefined);
    client.end();
    await until(() => received);
    client.destroy();
    const [seen] = await observer.waitFor(1);
    expect(seen).toMatchObject({
      apiId: 'api-1',
      endpoint: 'endpoint-0',
      status: 0,
      aborted: true,
      errorKey: undefined,
    });
    expect(seen!.endpointDurationMs).toBe(-1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(observer.completed).toHaveLength(1);
  });

  it('sees an upstream dying mid-body as an aborted 200 with the connection error key', async () => {
    const observer = new RecordingObserver();
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.add(async () => {
      server.closeAllConnections();
      server.close();
    });
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const gw = await startOptionsGateway(
      cleanups,
      { observer },
      snapshot({ paths: [{ path: '/dies' }], targets: [target] }),
    );
    await send(gw.port, { path: '/dies' }).catch(() => undefined);
    const [seen] = await observer.waitFor(1);
    expect(seen).toMatchObject({ status: 200, aborted: true, errorKey: 'GATEWAY_CLIENT_CONNECTION_ERROR' });
  });

  it('sees a malformed request answered by the server itself', async () => {
    const observer = new RecordingObserver();
    const gw = await startOptionsGateway(cleanups, { observer });
    const result = await rawRequest(gw.port, ['NOT HTTP\r\n\r\n']);
    expect(result.status).toBe(400);
    const [seen] = await observer.waitFor(1);
    expect(seen).toMatchObject({ method: '', status: 400, errorKey: 'GATEWAY_BAD_REQUEST', apiId: undefined });
  });

  it('records the matched path mapping, the one with fewer parameters first', async () => {
    const observer = new RecordingObserver();
    const up = await echoUpstream(cleanups);
    const definition = snapshot({ paths: [{ path: '/shop' }], targets: [up.url] });
    (definition.api as { listeners: { pathMappings?: string[] }[] }).listeners[0]!.pathMappings = [
      '/users/:id/orders/:orderId',
      '/users/:id',
      '/users/me',
    ];
    const gw = await startOptionsGateway(cleanups, { observer }, definition);
    for (const path of ['/shop/users/42', '/shop/users/me/', '/shop/users/42/orders/7?full=1', '/shop/other', '/shop'])
      await send(gw.port, { path });
    const seen = await observer.waitFor(5);
    expect(seen.map((request) => request.mappedPath)).toEqual([
      '/users/:id',
      '/users/me',
      '/users/:id/orders/:orderId',
      undefined,
      undefined,
    ]);
  });

  it('is passed through by startGateway with the server options', async () => {
    const observer = new RecordingObserver();
    const up = await echoUpstream(cleanups);
    const store = await memoryStore();
    cleanups.add(() => store.close());
    await publish(store, 'api', snapshot({ paths: [{ path: '/api' }], targets: [up.url] }));
    const gw = await startGateway({ store, port: 0, host: '127.0.0.1', observer, via: { receivedBy: 'gw-1' } });
    cleanups.add(() => gw.close());
    const res = await send(gw.port, { path: '/api' });
    expect(res.headers.via).toBe('1.1 gw-1');
    const [seen] = await observer.waitFor(1);
    expect(seen).toMatchObject({ apiId: 'api', status: 200 });
  });
});
