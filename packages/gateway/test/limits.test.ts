import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { send, snapshot } from './helpers.js';
import {
  cleanupList,
  echoUpstream,
  RecordingObserver,
  rawBody,
  rawHeader,
  rawRequest,
  startOptionsGateway,
  until,
} from './server-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: gw\r\n${extra}\r\n`;

describe('malformed and oversized request heads', () => {
  it('answers 431 to headers larger than maxHeaderSize and closes', async () => {
    const gw = await startOptionsGateway(cleanups, { maxHeaderSize: 1024 });
    const result = await rawRequest(gw.port, [get('/', `X-Big: ${'b'.repeat(2000)}\r\n`)]);
    expect(result.status).toBe(431);
    expect(result.closed).toBe(true);
    expect(rawHeader(result.text, 'connection')).toBe('close');
    expect(rawHeader(result.text, 'x-gravitee-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(rawBody(result.text)).toBe('Request Header Fields Too Large');
  });

  it('answers 414 to a request target longer than maxUriLength, before routing', async () => {
    const observer = new RecordingObserver();
    const gw = await startOptionsGateway(cleanups, { maxUriLength: 100, observer });
    const result = await rawRequest(gw.port, [get(`/${'u'.repeat(200)}`, 'Accept: application/json\r\n')]);
    expect(result.status).toBe(414);
    expect(result.closed).toBe(true);
    expect(JSON.parse(rawBody(result.text))).toEqual({ message: 'URI Too Long', http_status_code: 414 });
    const [seen] = await observer.waitFor(1);
    expect(seen).toMatchObject({ status: 414, errorKey: 'GATEWAY_REQUEST_URI_TOO_LONG', method: 'GET' });
    // A target past the parser's own limit is still a 414, not a 431.
    const small = await startOptionsGateway(cleanups, { maxHeaderSize: 1024, maxUriLength: 512 });
    expect((await rawRequest(small.port, [get(`/${'u'.repeat(3000)}`)])).status).toBe(414);
  });

  it('answers 400 to a malformed request and closes', async () => {
    const gw = await startOptionsGateway(cleanups, {});
    const result = await rawRequest(gw.port, [get('/', 'Bad Header Line\r\n')]);
    expect(result.status).toBe(400);
    expect(result.closed).toBe(true);
    expect(rawBody(result.text)).toBe('Bad Request');
    expect((await rawRequest(gw.port, ['\u0001\u0002 nonsense\r\n\r\n'])).status).toBe(400);
  });
});

describe('malformed request bodies', () => {
  it('answers 400 to a broken chunked body while the upstream call runs, and aborts that call', async () => {
    const observer = new RecordingObserver();
    let upstreamClosed = false;
    const up = await echoUpstream(cleanups);
    up.server.prependListener('request', (req) => {
      req.on('close', () => {
        upstreamClosed = true;
      });
    });
    const gw = await startOptionsGateway(
      cleanups,
      { observer },
      snapshot({ paths: [{ path: '/b' }], targets: [up.url] }),
    );
    const result = await rawRequest(gw.port, [
      'POST /b HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
      50,
      'zz\r\nnot a chunk\r\n',
    ]);
    expect(result.status).toBe(400);
    expect(result.closed).toBe(true);
    await until(() => upstreamClosed);
    const [seen] = await observer.waitFor(1);
    expect(seen).toMatchObject({ apiId: 'api-1', status: 400, errorKey: 'GATEWAY_BAD_REQUEST' });
  });
});

describe('timeouts', () => {
  it('answers 408 when the headers do not arrive within headersTimeoutMs', async () => {
    const gw = await startOptionsGateway(cleanups, { headersTimeoutMs: 200, requestTimeoutMs: 200 });
    const result = await rawRequest(gw.port, ['GET / HTTP/1.1\r\nHost: gw\r\n']);
    expect(result.status).toBe(408);
    expect(result.closed).toBe(true);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(190);
    expect(result.elapsedMs).toBeLessThan(1_500);
  });

  it('answers 408 and aborts the upstream call when the body is slower than requestTimeoutMs', async () => {
    const observer = new RecordingObserver();
    let upstreamClosed = false;
    const upstream = createServer((req) => {
      req.on('close', () => {
        upstreamClosed = true;
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    cleanups.add(async () => {
      upstream.closeAllConnections();
      upstream.close();
    });
    const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const gw = await startOptionsGateway(
      cleanups,
      { headersTimeoutMs: 300, requestTimeoutMs: 300, observer },
      snapshot({ paths: [{ path: '/upload' }], targets: [target] }),
    );
    const result = await rawRequest(gw.port, [
      'POST /upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\nAccept: application/json\r\n\r\nsome',
    ]);
    expect(result.status).toBe(408);
    expect(result.closed).toBe(true);
    expect(JSON.parse(rawBody(result.text))).toEqual({ message: 'Request Timeout', http_status_code: 408 });
    await until(() => upstreamClosed);
    const [seen] = await observer.waitFor(1);
    expect(seen).toMatchObject({ apiId: 'api-1', status: 408, errorKey: 'GATEWAY_CLIENT_REQUEST_TIMEOUT' });
  });

  it('does not time out a complete request waiting for a slow upstream', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(
      cleanups,
      { headersTimeoutMs: 150, requestTimeoutMs: 150 },
      snapshot({ paths: [{ path: '/slow' }], targets: [up.url] }),
    );
    const res = await send(gw.port, { path: '/slow', headers: { 'x-echo-delay-ms': '500' } });
    expect(res.status).toBe(200);
  });

  // Node advertises `Keep-Alive: timeout=<s>` and closes about 1 s after keepAliveTimeoutMs (its race buffer).
  it('closes a keep-alive connection idle for keepAliveTimeoutMs', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(
      cleanups,
      { keepAliveTimeoutMs: 200 },
      snapshot({ paths: [{ path: '/k' }], targets: [up.url] }),
    );
    const result = await rawRequest(gw.port, [get('/k')], 3_000);
    expect(result.status).toBe(200);
    expect(rawHeader(result.text, 'connection')).toBe('keep-alive');
    expect(result.closed).toBe(true);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(190);
    expect(result.elapsedMs).toBeLessThan(2_500);
  });
});

describe('connection limit', () => {
  it('answers 503 with Connection: close beyond maxConnections, and serves again once a connection closes', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(
      cleanups,
      { maxConnections: 2 },
      snapshot({ paths: [{ path: '/c' }], targets: [up.url] }),
    );
    const held: Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const socket = connect(gw.port, '127.0.0.1');
      await once(socket, 'connect');
      held.push(socket);
    }
    let open = 0;
    await until(() => {
      gw.server.getConnections((_error, count) => {
        open = count;
      });
      return open === 2;
    });
    const refused = await rawRequest(gw.port, [get('/c', 'Accept: application/json\r\n')]);
    expect(refused.status).toBe(503);
    expect(refused.closed).toBe(true);
    expect(rawHeader(refused.text, 'connection')).toBe('close');
    expect(JSON.parse(rawBody(refused.text))).toEqual({ message: 'Too many connections', http_status_code: 503 });
    expect(up.requests).toHaveLength(0);
    held[0]!.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const served = await rawRequest(gw.port, [get('/c', 'Connection: close\r\n')]);
    expect(served.status).toBe(200);
    held[1]!.destroy();
  });
});

describe('request body limit', () => {
  it('answers 413 to a declared Content-Length above maxRequestBodySize without calling the endpoint', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(
      cleanups,
      { maxRequestBodySize: 100 },
      snapshot({ paths: [{ path: '/b' }], targets: [up.url] }),
    );
    const result = await rawRequest(gw.port, [
      `POST /b HTTP/1.1\r\nHost: gw\r\nContent-Length: 101\r\n\r\n${'x'.repeat(101)}`,
    ]);
    expect(result.status).toBe(413);
    expect(result.closed).toBe(true);
    expect(rawBody(result.text)).toBe('Content Too Large');
    expect(up.requests).toHaveLength(0);
    const fits = await send(gw.port, { method: 'POST', path: '/b', body: 'y'.repeat(100) });
    expect(fits.status).toBe(200);
    expect(fits.body.toString()).toBe('y'.repeat(100));
  });

  it('counts a chunked body and answers 413 once it passes the limit', async () => {
    const observer = new RecordingObserver();
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(
      cleanups,
      { maxRequestBodySize: 100, observer },
      snapshot({ paths: [{ path: '/b' }], targets: [up.url] }),
    );
    const chunk = (data: string) => `${data.length.toString(16)}\r\n${data}\r\n`;
    const head = 'POST /b HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n';
    const over = await rawRequest(gw.port, [head, chunk('a'.repeat(60)), 30, chunk('b'.repeat(60)), '0\r\n\r\n']);
    expect(over.status).toBe(413);
    expect(over.closed).toBe(true);
    expect(rawHeader(over.text, 'connection')).toBe('close');
    const [seen] = await observer.waitFor(1);
    expect(seen).toMatchObject({ status: 413, errorKey: 'GATEWAY_REQUEST_BODY_TOO_LARGE', endpoint: 'endpoint-0' });
    const under = await rawRequest(gw.port, [
      head.replace('Host: gw', 'Host: gw\r\nConnection: close'),
      chunk('c'.repeat(50)),
      chunk('d'.repeat(50)),
      '0\r\n\r\n',
    ]);
    expect(under.status).toBe(200);
    expect(rawBody(under.text)).toContain('c'.repeat(50));
  });

  it('answers an Expect: 100-continue request with 413 before the body, and continues one that fits', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startOptionsGateway(
      cleanups,
      { maxRequestBodySize: 100 },
      snapshot({ paths: [{ path: '/b' }], targets: [up.url] }),
    );
    const expect100 = (length: number) =>
      `POST /b HTTP/1.1\r\nHost: gw\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`;
    const refused = await rawRequest(gw.port, [expect100(1000)]);
    expect(refused.status).toBe(413);
    expect(refused.text).not.toContain('100 Continue');
    expect(refused.closed).toBe(true);
    const accepted = await rawRequest(gw.port, [expect100(5), 100, 'hello'], 1_000);
    expect(accepted.status).toBe(100);
    expect(accepted.text).toContain('HTTP/1.1 200 OK');
    expect(accepted.text).toMatch(/\r\n\r\n(5\r\n)?hello/);
  });
});
