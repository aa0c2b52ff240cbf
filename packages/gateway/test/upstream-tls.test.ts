import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { JsonObject } from '@apim/core';
import { afterEach, describe, expect, it } from 'vitest';
import { send, snapshot, startTestGateway } from './helpers.js';

const fixture = (name: string) => new URL(`./fixtures/tls/${name}`, import.meta.url);
const read = (name: string) => readFileSync(fixture(name), 'utf8');
const CA = read('ca.pem');

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** An https upstream with the test CA's server certificate; with `clientAuth`, it requires a client certificate. */
async function httpsUpstream(host = '127.0.0.1', clientAuth = false): Promise<string> {
  const server: Server = createServer(
    {
      cert: read('server.pem'),
      key: read('server-key.pem'),
      ca: CA,
      requestCert: clientAuth,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ client: peer?.subject?.CN ?? null }));
    },
  );
  server.listen(0, host);
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    server.close();
  });
  return `https://${host}:${(server.address() as AddressInfo).port}`;
}

async function call(target: string, ssl?: JsonObject) {
  const definition = snapshot({ paths: [{ path: '/tls' }], targets: [target] });
  const group = (definition.api as { endpointGroups: { sharedConfiguration: JsonObject }[] }).endpointGroups[0]!;
  if (ssl !== undefined) group.sharedConfiguration.ssl = ssl;
  const gw = await startTestGateway(definition);
  cleanups.push(() => gw.close());
  return send(gw.port, { path: '/tls' });
}

describe('TLS to upstreams', () => {
  it('refuses an upstream whose certificate it cannot verify, and accepts it with trustAll', async () => {
    const target = await httpsUpstream();
    expect((await call(target)).status).toBe(502);
    expect((await call(target, { trustAll: true })).status).toBe(200);
  });

  it('verifies the upstream against a PEM trust store given as content or as a path', async () => {
    const target = await httpsUpstream();
    expect((await call(target, { trustStore: { type: 'PEM', content: CA } })).status).toBe(200);
    expect((await call(target, { trustStore: { type: 'PEM', path: fixture('ca.pem').pathname } })).status).toBe(200);
  });

  it('checks the host name unless hostnameVerifier is false', async () => {
    // The certificate names localhost and 127.0.0.1, not 127.0.0.2.
    const target = await httpsUpstream('127.0.0.2');
    const trustStore = { type: 'PEM', content: CA };
    expect((await call(target, { trustStore })).status).toBe(502);
    expect((await call(target, { trustStore, hostnameVerifier: false })).status).toBe(200);
  });

  it('presents the PEM key store as client certificate (content or paths)', async () => {
    const target = await httpsUpstream('127.0.0.1', true);
    const trustStore = { type: 'PEM', content: CA };
    expect((await call(target, { trustStore })).status).toBe(502);
    const withContent = await call(target, {
      trustStore,
      keyStore: { type: 'PEM', certContent: read('client.pem'), keyContent: read('client-key.pem') },
    });
    expect(withContent.status).toBe(200);
    expect(JSON.parse(withContent.body.toString())).toEqual({ client: 'apim-gateway' });
    const withPaths = await call(target, {
      trustStore,
      keyStore: { type: 'PEM', certPath: fixture('client.pem').pathname, keyPath: fixture('client-key.pem').pathname },
    });
    expect(withPaths.status).toBe(200);
  });
});
