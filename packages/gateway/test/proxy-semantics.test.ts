import { afterEach, describe, expect, it } from 'vitest';
import { isValidTraceparent } from '../src/index.js';
import { send, snapshot } from './helpers.js';
import { cleanupList, echoUpstream, startOptionsGateway } from './server-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Via (RFC 9110 §7.6.3)', () => {
  it('is appended on the upstream request and on the client response', async () => {
    const up = await echoUpstream(cleanups, (_req, res) => {
      res.writeHead(200, { via: '1.1 origin-cache' });
      res.end();
    });
    const gw = await startOptionsGateway(cleanups, {}, snapshot({ paths: [{ path: '/v' }], targets: [up.url] }));
    const res = await send(gw.port, { path: '/v', headers: ['Host', 'gw', 'Via', '1.0 corp-proxy', 'Via', '1.1 cdn'] });
    expect(up.requests[0]!.headers.via).toBe('1.0 corp-proxy, 1.1 cdn, 1.1 apim-gateway');
    expect(res.headers.via).toBe('1.1 origin-cache, 1.1 apim-gateway');
  });

  it('names the gateway as configured, and can be turned off', async () => {
    const up = await echoUpstream(cleanups);
    const named = await startOptionsGateway(
      cleanups,
      { via: { receivedBy: 'edge-eu-1' } },
      snapshot({ paths: [{ path: '/v' }], targets: [up.url] }),
    );
    expect((await send(named.port, { path: '/v' })).headers.via).toBe('1.1 edge-eu-1');
    expect(up.requests[0]!.headers.via).toBe('1.1 edge-eu-1');
    const off = await startOptionsGateway(
      cleanups,
      { via: { enabled: false } },
      snapshot({ paths: [{ path: '/v' }], targets: [up.url] }),
    );
    const res = await send(off.port, { path: '/v', headers: { via: '1.0 corp-proxy' } });
    expect(res.headers.via).toBeUndefined();
    expect(up.requests[1]!.headers.via).toBe('1.0 corp-proxy');
  });
});

describe('transaction and request ids', () => {
  it('generates a request id per request and uses it as transaction id when the client sent none', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(cleanups, {}, snapshot({ paths: [{ path: '/ids' }], targets: [up.url] }));
    const first = await send(gw.port, { path: '/ids' });
    const second = await send(gw.port, { path: '/ids' });
    const seen = up.requests[0]!.headers;
    expect(seen['x-gravitee-request-id']).toMatch(UUID);
    expect(seen['x-gravitee-transaction-id']).toBe(seen['x-gravitee-request-id']);
    expect(first.headers['x-gravitee-request-id']).toBe(seen['x-gravitee-request-id']);
    expect(first.headers['x-gravitee-transaction-id']).toBe(seen['x-gravitee-transaction-id']);
    expect(second.headers['x-gravitee-request-id']).not.toBe(first.headers['x-gravitee-request-id']);
  });

  it("keeps the client's transaction id and replaces its request id (override mode)", async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(cleanups, {}, snapshot({ paths: [{ path: '/ids' }], targets: [up.url] }));
    const res = await send(gw.port, {
      path: '/ids',
      headers: { 'X-Gravitee-Transaction-Id': 'tx-from-client', 'X-Gravitee-Request-Id': 'req-from-client' },
    });
    const seen = up.requests[0]!.headers;
    expect(seen['x-gravitee-transaction-id']).toBe('tx-from-client');
    expect(seen['x-gravitee-request-id']).toMatch(UUID);
    expect(res.headers['x-gravitee-transaction-id']).toBe('tx-from-client');
    expect(res.headers['x-gravitee-request-id']).toBe(seen['x-gravitee-request-id']);
  });

  it('uses the configured header names and override modes', async () => {
    const up = await echoUpstream(cleanups, (_req, res) => {
      res.writeHead(200, { 'x-correlation-id': 'from-backend', 'x-request-id': 'backend-req' });
      res.end();
    });
    const gw = await startOptionsGateway(
      cleanups,
      {
        transaction: { header: 'X-Correlation-Id', overrideMode: 'keep' },
        requestId: { header: 'X-Request-Id', overrideMode: 'merge' },
      },
      snapshot({ paths: [{ path: '/ids' }], targets: [up.url] }),
    );
    const res = await send(gw.port, { path: '/ids', headers: { 'x-request-id': 'client-req' } });
    const seen = up.requests[0]!.headers;
    expect(seen['x-gravitee-request-id']).toBeUndefined();
    const [clientPart, ours] = String(seen['x-request-id']).split(', ');
    expect(clientPart).toBe('client-req');
    expect(ours).toMatch(UUID);
    expect(seen['x-correlation-id']).toBe(ours);
    // On the response, the modes decide against the backend's values.
    expect(res.headers['x-correlation-id']).toBe('from-backend');
    expect(res.headers['x-request-id']).toBe(`backend-req, ${ours}`);
  });

  it('puts both ids on gateway errors, the 404 included', async () => {
    const gw = await startOptionsGateway(
      cleanups,
      {},
      snapshot({ paths: [{ path: '/keyed' }], targets: ['http://127.0.0.1:9'], planType: 'API_KEY' }),
    );
    const unauthorized = await send(gw.port, { path: '/keyed', headers: { 'x-gravitee-transaction-id': 'tx-1' } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['x-gravitee-transaction-id']).toBe('tx-1');
    expect(unauthorized.headers['x-gravitee-request-id']).toMatch(UUID);
    const missing = await send(gw.port, { path: '/nothing', headers: { accept: 'application/json' } });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('text/plain');
    expect(missing.body.toString()).toBe('No context-path matches the request URI.');
    expect(missing.headers['x-gravitee-request-id']).toMatch(UUID);
    expect(missing.headers['x-gravitee-transaction-id']).toBe(missing.headers['x-gravitee-request-id']);
  });
});

describe('W3C trace context', () => {
  const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it("propagates the client's traceparent and tracestate unchanged by default", async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(cleanups, {}, snapshot({ paths: [{ path: '/t' }], targets: [up.url] }));
    const res = await send(gw.port, {
      path: '/t',
      headers: { traceparent: TRACEPARENT, tracestate: 'congo=t61rcWkgMzE' },
    });
    expect(up.requests[0]!.headers.traceparent).toBe(TRACEPARENT);
    expect(up.requests[0]!.headers.tracestate).toBe('congo=t61rcWkgMzE');
    expect(res.headers.traceparent).toBeUndefined();
    await send(gw.port, { path: '/t' });
    expect(up.requests[1]!.headers.traceparent).toBeUndefined();
  });

  it('generates one when asked, replacing an invalid one and its tracestate', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(
      cleanups,
      { generateTraceparent: true },
      snapshot({ paths: [{ path: '/t' }], targets: [up.url] }),
    );
    const generated = await send(gw.port, { path: '/t' });
    const sent = String(up.requests[0]!.headers.traceparent);
    expect(isValidTraceparent(sent)).toBe(true);
    expect(generated.headers.traceparent).toBe(sent);
    const invalid = await send(gw.port, { path: '/t', headers: { traceparent: 'garbage', tracestate: 'a=b' } });
    expect(isValidTraceparent(String(up.requests[1]!.headers.traceparent))).toBe(true);
    expect(up.requests[1]!.headers.tracestate).toBeUndefined();
    expect(invalid.headers.traceparent).toBe(up.requests[1]!.headers.traceparent);
    const valid = await send(gw.port, { path: '/t', headers: { traceparent: TRACEPARENT, tracestate: 'a=b' } });
    expect(up.requests[2]!.headers.traceparent).toBe(TRACEPARENT);
    expect(up.requests[2]!.headers.tracestate).toBe('a=b');
    expect(valid.headers.traceparent).toBe(TRACEPARENT);
  });
});

describe('host and path', () => {
  it("sends the target's Host, or the client's with propagateClientHost", async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(
      cleanups,
      {},
      snapshot({ id: 'target-host', paths: [{ path: '/a' }], targets: [up.url] }),
      snapshot({ id: 'client-host', paths: [{ path: '/b' }], targets: [up.url], http: { propagateClientHost: true } }),
    );
    await send(gw.port, { path: '/a', headers: { host: 'api.example.com:8082' } });
    await send(gw.port, { path: '/b', headers: { host: 'api.example.com:8082' } });
    expect(up.requests[0]!.headers.host).toBe(`127.0.0.1:${up.port}`);
    expect(up.requests[1]!.headers.host).toBe('api.example.com:8082');
    expect(up.requests[1]!.headers['x-forwarded-host']).toBe('api.example.com:8082');
  });

  it('forwards only what follows the context path, joined to the target path, query kept raw', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(
      cleanups,
      {},
      snapshot({ paths: [{ path: '/store/v1' }], targets: [`${up.url}/backend/api?key=k`] }),
    );
    for (const path of ['/store/v1', '/store/v1/', '/store/v1/items/9?sort=a%20b', '/store/v1?x'])
      await send(gw.port, { path });
    expect(up.requests.map((request) => request.url)).toEqual([
      '/backend/api?key=k',
      '/backend/api/?key=k',
      '/backend/api/items/9?key=k&sort=a%20b',
      '/backend/api?key=k&x',
    ]);
  });
});

describe('dot segments (RFC 3986 §5.2.4)', () => {
  it('are resolved before routing, so that a path reaches neither another API nor above the base path', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(
      cleanups,
      {},
      snapshot({ id: 'store', paths: [{ path: '/store' }], targets: [`${up.url}/backend/store`] }),
      snapshot({ id: 'admin', paths: [{ path: '/admin' }], targets: [`${up.url}/backend/admin`] }),
    );
    const answers = [];
    for (const path of ['/store/a/../b', '/store/./c/%2e/d?x=/../y', '/store/../admin/users', '/store/%2e%2e/admin'])
      answers.push(await send(gw.port, { path }));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(up.requests.map((request) => request.url)).toEqual([
      '/backend/store/b',
      '/backend/store/c/d?x=/../y',
      '/backend/admin/users',
      '/backend/admin',
    ]);
  });

  it('climbing above the root is answered 400 and never forwarded', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(
      cleanups,
      {},
      snapshot({ paths: [{ path: '/store' }], targets: [`${up.url}/backend/store`] }),
    );
    for (const path of ['/store/../../etc/passwd', '/store/%2e%2e/%2E%2E/x']) {
      const answer = await send(gw.port, { path, headers: { accept: 'application/json' } });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body.toString())).toEqual({ message: 'Bad Request', http_status_code: 400 });
      expect(answer.headers['x-gravitee-request-id']).toMatch(UUID);
    }
    expect(up.requests).toHaveLength(0);
  });
});
