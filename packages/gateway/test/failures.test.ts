import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EchoUpstream, startEchoUpstream } from '@apim/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { runtime, send, snapshot, startTestGateway, type TestGateway } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function upstream(): Promise<EchoUpstream> {
  const server = await startEchoUpstream();
  cleanups.push(() => server.close());
  return server;
}

async function rawUpstream(handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void) {
  const server: Server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function gateway(...definitions: Parameters<typeof startTestGateway>): Promise<TestGateway> {
  const gw = await startTestGateway(...definitions);
  cleanups.push(() => gw.close());
  return gw;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

const until = async (condition: () => boolean, timeoutMs = 2_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('gateway errors', () => {
  it('answers 502 GATEWAY_CLIENT_CONNECTION_ERROR when the upstream refuses the connection', async () => {
    const port = await closedPort();
    const gw = await gateway(snapshot({ paths: [{ path: '/down' }], targets: [`http://127.0.0.1:${port}`] }));
    const json = await send(gw.port, { path: '/down', headers: { accept: 'application/json' } });
    expect(json.status).toBe(502);
    expect(json.headers['content-type']).toBe('application/json');
    expect(JSON.parse(json.body.toString())).toEqual({ message: 'Bad Gateway', http_status_code: 502 });
    const any = await send(gw.port, { path: '/down', headers: { accept: '*/*' } });
    expect(any.headers['content-type']).toBe('application/json');
    const text = await send(gw.port, { path: '/down', headers: { accept: 'text/html' } });
    expect(text.status).toBe(502);
    expect(text.headers['content-type']).toBe('text/plain');
    expect(text.body.toString()).toBe('Bad Gateway');
  });

  it('answers 504 GATEWAY_CLIENT_CONNECTION_TIMEOUT when the upstream is slower than readTimeout', async () => {
    const up = await upstream();
    const gw = await gateway(snapshot({ paths: [{ path: '/slow' }], targets: [up.url], http: { readTimeout: 200 } }));
    const started = Date.now();
    const res = await send(gw.port, {
      path: '/slow',
      headers: { 'x-echo-delay-ms': '1500', accept: 'application/json' },
    });
    expect(res.status).toBe(504);
    expect(JSON.parse(res.body.toString())).toEqual({ message: 'Gateway Timeout', http_status_code: 504 });
    expect(Date.now() - started).toBeLessThan(1_400);
    const fast = await send(gw.port, { path: '/slow', headers: { 'x-echo-delay-ms': '50' } });
    expect(fast.status).toBe(200);
  });

  it('answers 401 GATEWAY_PLAN_UNRESOLVABLE without a published keyless plan', async () => {
    const up = await upstream();
    const gw = await gateway(
      snapshot({ id: 'keyed', paths: [{ path: '/keyed' }], targets: [up.url], planType: 'API_KEY' }),
      snapshot({ id: 'staging', paths: [{ path: '/staging' }], targets: [up.url], planStatus: 'STAGING' }),
      snapshot({ id: 'deprecated', paths: [{ path: '/deprecated' }], targets: [up.url], planStatus: 'DEPRECATED' }),
    );
    const keyed = await send(gw.port, { path: '/keyed', headers: { accept: 'application/json' } });
    expect(keyed.status).toBe(401);
    expect(JSON.parse(keyed.body.toString())).toEqual({ message: 'Unauthorized', http_status_code: 401 });
    expect((await send(gw.port, { path: '/staging' })).status).toBe(401);
    expect((await send(gw.port, { path: '/deprecated' })).status).toBe(200);
    expect(up.requests).toHaveLength(1);
  });

  it('answers 503 GATEWAY_NO_ENDPOINT_AVAILABLE when no endpoint can be called', async () => {
    const gw = await gateway(snapshot({ paths: [{ path: '/el' }], targets: ['{#properties.backend}'] }));
    const res = await send(gw.port, { path: '/el', headers: { accept: 'application/json' } });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body.toString())).toEqual({ message: 'No endpoint available', http_status_code: 503 });
  });

  it('answers HEAD requests with headers only', async () => {
    const up = await upstream();
    const gw = await gateway(snapshot({ paths: [{ path: '/head' }], targets: [up.url] }));
    const proxied = await send(gw.port, { method: 'HEAD', path: '/head/x' });
    expect(proxied.status).toBe(200);
    expect(proxied.body.length).toBe(0);
    expect(up.requests[0]?.method).toBe('HEAD');
    const missing = await send(gw.port, { method: 'HEAD', path: '/none' });
    expect(missing.status).toBe(404);
    expect(missing.body.length).toBe(0);
  });
});

describe('broken exchanges', () => {
  it('aborts the upstream request when the client goes away before any answer (no body)', async () => {
    let upstreamClosed = false;
    let received = false;
    const target = await rawUpstream((req) => {
      received = true;
      req.on('close', () => {
        upstreamClosed = true;
      });
    });
    const gw = await gateway(snapshot({ paths: [{ path: '/hang' }], targets: [target] }));
    const client = request({ port: gw.port, host: '127.0.0.1', path: '/hang', agent: false });
    client.on('error', () => undefined);
    client.end();
    await until(() => received);
    client.destroy();
    await until(() => upstreamClosed);
    await until(() => gw.registry.get('api-1')!.inFlight === 0);
  });

  it('aborts the upstream request when the client goes away', async () => {
    let upstreamClosed = false;
    let received = false;
    const target = await rawUpstream((req) => {
      received = true;
      req.on('close', () => {
        upstreamClosed = true;
      });
      // Never answers.
    });
    const gw = await gateway(snapshot({ paths: [{ path: '/hang' }], targets: [target] }));
    const client = request({ port: gw.port, host: '127.0.0.1', method: 'POST', path: '/hang', agent: false });
    client.on('error', () => undefined);
    client.write('partial body');
    await until(() => received);
    client.destroy();
    await until(() => upstreamClosed);
    const api = gw.registry.get('api-1')!;
    await until(() => api.inFlight === 0);
  });

  it('destroys the client response when the upstream dies mid-body', async () => {
    const target = await rawUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '1000000' });
      res.write(Buffer.alloc(10_000, 'x'), () => setTimeout(() => res.socket?.destroy(), 50));
    });
    const gw = await gateway(snapshot({ paths: [{ path: '/dies' }], targets: [target] }));
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ port: gw.port, host: '127.0.0.1', path: '/dies', agent: false }, (res) => {
        expect(res.statusCode).toBe(200);
        res.on('data', () => undefined);
        res.on('end', () => resolve('ended'));
        res.on('aborted', () => resolve('aborted'));
        res.on('error', () => resolve('aborted'));
      });
      req.on('error', () => resolve('aborted'));
      req.end();
    });
    expect(outcome).toBe('aborted');
  });

  it('survives an upstream that answers before reading the request body', async () => {
    const target = await rawUpstream((_req, res) => {
      res.writeHead(413, { 'content-type': 'text/plain' });
      res.end('too large');
    });
    const gw = await gateway(snapshot({ paths: [{ path: '/early' }], targets: [target] }));
    const res = await send(gw.port, { method: 'POST', path: '/early', body: Buffer.alloc(2 * 1024 * 1024) }).catch(
      (error: Error) => error,
    );
    // Either the early answer comes through, or the connection is cut; the gateway stays up either way.
    if (!(res instanceof Error)) expect(res.status).toBe(413);
    expect((await send(gw.port, { path: '/nothing' })).status).toBe(404);
  });
});

describe('redeploy', () => {
  it('lets in-flight requests finish on the old runtime, then closes its pools', async () => {
    const oldUp = await upstream();
    const newUp = await upstream();
    const gw = await gateway(snapshot({ paths: [{ path: '/swap' }], targets: [oldUp.url] }));
    const old = gw.registry.get('api-1')!;
    const slow = send(gw.port, { path: '/swap/slow', headers: { 'x-echo-delay-ms': '300' } });
    await until(() => old.inFlight === 1);
    gw.registry.deploy(runtime(snapshot({ paths: [{ path: '/swap' }], targets: [newUp.url] }), 'api-1', 2));
    const fresh = await send(gw.port, { path: '/swap/fresh' });
    expect(fresh.headers['x-upstream-url']).toBe('/fresh');
    expect(newUp.requests).toHaveLength(1);
    expect(old.endpointGroup!.endpoints[0]!.pool.closed).toBe(false);
    expect((await slow).status).toBe(200);
    await until(() => old.endpointGroup!.endpoints[0]!.pool.closed);
    expect(gw.registry.retiringCount).toBe(0);
  });
});
