/**
 * `https://` endpoints with `http.version: HTTP_2` and `grpcs://` ones go through the gateway's `node:http2` client
 * (trailers kept): the endpoint's TLS settings apply to it as to the undici pool, and an `https://` + `HTTP_2` endpoint
 * that only speaks HTTP/1.1 is still served (ALPN offers both, as undici does).
 */
import { once } from 'node:events';
import { connect, createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { JsonObject } from '@apim/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until, withHealthCheck } from './health-helpers.js';
import { send, snapshot, startTestGateway } from './helpers.js';
import { cleanupList } from './server-helpers.js';
import { type CertificatePair, makeCertificates, startListener, type TestCertificates } from './tls-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());
let certs: TestCertificates;
let upstreamPair: CertificatePair;
beforeAll(() => {
  certs = makeCertificates();
  upstreamPair = certs.issue('h2-upstream', 'localhost', ['localhost']);
});
afterAll(() => certs.remove());

interface Seen {
  httpVersion: string;
  url: string;
  /** Subject CN of the client certificate the gateway presented. */
  client: string | undefined;
}

/**
 * An HTTPS upstream answering `{ httpVersion, url, client }` with a `x-checksum` trailer: HTTP/2 only (`h2`), HTTP/2
 * and HTTP/1.1 by ALPN (`both`) or HTTP/1.1 only (`http/1.1`). With `clientCa`, it requires a client certificate.
 */
async function upstream(protocols: 'h2' | 'both' | 'http/1.1', clientCa?: string): Promise<{ port: number }> {
  const options = {
    cert: upstreamPair.cert,
    key: upstreamPair.key,
    ...(clientCa === undefined ? {} : { ca: clientCa, requestCert: true, rejectUnauthorized: true }),
  };
  const handle = (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    const cn = peer?.subject?.CN;
    const seen: Seen = { httpVersion: req.httpVersion, url: req.url, client: Array.isArray(cn) ? cn[0] : cn };
    if (req.url.endsWith('/old')) {
      res.writeHead(302, { location: req.url.replace(/\/old$/, '/new') }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', trailer: 'x-checksum' });
    res.write(JSON.stringify(seen));
    res.addTrailers({ 'x-checksum': 'abc' });
    res.end();
  };
  const server =
    protocols === 'http/1.1'
      ? createHttpsServer(options, handle as never)
      : createSecureServer({ ...options, allowHTTP1: protocols === 'both' }, handle);
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.add(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as AddressInfo).port };
}

/** A snapshot calling `target` with HTTP_2 and the given `ssl` (and more `http` settings). */
function definition(target: string, ssl?: JsonObject, http: JsonObject = {}): JsonObject {
  const result = snapshot({ paths: [{ path: '/h2' }], targets: [target], http: { version: 'HTTP_2', ...http } });
  const group = (result.api as { endpointGroups: { sharedConfiguration: JsonObject }[] }).endpointGroups[0]!;
  if (ssl !== undefined) group.sharedConfiguration.ssl = ssl;
  return result;
}

async function call(target: string, ssl?: JsonObject, http?: JsonObject, path = '/h2/x') {
  const gw = await startTestGateway(definition(target, ssl, http));
  cleanups.add(() => gw.close());
  const res = await send(gw.port, { path });
  return { status: res.status, seen: res.status === 200 ? (JSON.parse(res.body.toString()) as Seen) : undefined };
}

const trustStore = () => ({ type: 'PEM', content: certs.ca });

describe('https:// endpoints with HTTP_2', () => {
  it('call an HTTP/2 endpoint over h2 and relay its trailers to HTTP/2 clients', async () => {
    const { port } = await upstream('h2');
    const gw = await startListener(
      cleanups,
      { http2Cleartext: true },
      definition(`https://localhost:${port}/base`, { trustStore: trustStore() }),
    );
    const session = connect(`http://127.0.0.1:${gw.port}`);
    cleanups.add(async () => void session.close());
    const stream = session.request({ ':path': '/h2/x' });
    const [headers] = (await once(stream, 'response')) as [Record<string, string>];
    const trailers = new Promise<Record<string, string>>((resolve) => stream.once('trailers', resolve));
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(headers[':status']).toBe(200);
    expect(JSON.parse(Buffer.concat(chunks).toString())).toMatchObject({ httpVersion: '2.0', url: '/base/x' });
    expect(await trailers).toMatchObject({ 'x-checksum': 'abc' });
  });

  it('apply trustAll, the trust store and hostname verification', async () => {
    const { port } = await upstream('h2');
    expect((await call(`https://localhost:${port}`)).status).toBe(502);
    expect(await call(`https://localhost:${port}`, { trustAll: true })).toMatchObject({
      status: 200,
      seen: { httpVersion: '2.0' },
    });
    expect((await call(`https://localhost:${port}`, { trustStore: trustStore() })).status).toBe(200);
    // By IP address: the certificate names `localhost` only.
    expect((await call(`https://127.0.0.1:${port}`, { trustStore: trustStore() })).status).toBe(502);
    expect(
      (await call(`https://127.0.0.1:${port}`, { trustStore: trustStore(), hostnameVerifier: false })).status,
    ).toBe(200);
  });

  it('present the client certificate of the key store', async () => {
    const { port } = await upstream('h2', certs.ca);
    const target = `https://localhost:${port}`;
    expect((await call(target, { trustStore: trustStore() })).status).toBe(502);
    const keyStore = { type: 'PEM', certContent: certs.client.cert, keyContent: certs.client.key };
    expect(await call(target, { trustStore: trustStore(), keyStore })).toMatchObject({
      status: 200,
      seen: { client: 'client-app' },
    });
  });

  it('fall back to HTTP/1.1 when the endpoint picks it by ALPN', async () => {
    const h1 = await upstream('http/1.1');
    const both = await upstream('both');
    const ssl = { trustStore: trustStore() };
    expect(await call(`https://localhost:${h1.port}/v1`, ssl)).toMatchObject({
      status: 200,
      seen: { httpVersion: '1.1', url: '/v1/x' },
    });
    expect(await call(`https://localhost:${both.port}/v1`, ssl)).toMatchObject({
      status: 200,
      seen: { httpVersion: '2.0', url: '/v1/x' },
    });
  });

  it('follow redirects with followRedirects, over h2 and after an HTTP/1.1 fallback', async () => {
    for (const protocols of ['h2', 'http/1.1'] as const) {
      const { port } = await upstream(protocols);
      const answer = await call(
        `https://localhost:${port}/r`,
        { trustStore: trustStore() },
        { followRedirects: true },
        '/h2/old',
      );
      expect(answer).toMatchObject({ status: 200, seen: { url: '/r/new' } });
    }
  });

  it('health-check the endpoint over h2 with its TLS settings', async () => {
    const { port } = await upstream('h2', certs.ca);
    const keyStore = { type: 'PEM', certContent: certs.client.cert, keyContent: certs.client.key };
    const gw = await startTestGateway(
      withHealthCheck(definition(`https://localhost:${port}`, { trustStore: trustStore(), keyStore }), {
        assertion: "{#response.status == 200 && #response.jsonContent.httpVersion == '2.0'}",
      }),
    );
    cleanups.add(() => gw.close());
    const api = gw.registry.get('api-1')!;
    await until(() => api.healthStatus()[0]!.results.length > 0);
    expect(api.healthStatus()[0]!.results[0]).toMatchObject({ success: true, status: 200 });
  });
});

describe('grpcs:// endpoints', () => {
  it('refuse an endpoint that does not speak HTTP/2 (502)', async () => {
    const { port } = await upstream('http/1.1');
    const res = await call(`grpcs://localhost:${port}`, { trustStore: trustStore() });
    expect(res.status).toBe(502);
  });
});
