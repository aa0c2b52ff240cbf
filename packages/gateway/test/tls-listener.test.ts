import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { connect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from './helpers.js';
import { cleanupList, echoUpstream } from './server-helpers.js';
import { makeCertificates, startListener, type TestCertificates } from './tls-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());
let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());

interface Answer {
  status: number;
  body: string;
  version: string;
  peerCn: string | undefined;
}

function get(
  port: number,
  options: { servername?: string; path?: string; cert?: string; key?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/tls',
        servername: options.servername ?? 'api.example.com',
        headers: { host: options.servername ?? 'api.example.com' },
        ca: certs.ca,
        cert: options.cert,
        key: options.key,
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            body,
            version: res.httpVersion,
            peerCn: firstCn((res.socket as TLSSocket).getPeerCertificate().subject?.CN),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A certificate subject's CN (typed as a list by some @types/node versions). */
function firstCn(cn: string | string[] | undefined): string | undefined {
  return Array.isArray(cn) ? cn[0] : cn;
}

/** The CN of the certificate the gateway presents for a server name (no HTTP). */
function presented(port: number, servername?: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca: certs.ca, rejectUnauthorized: false }, () => {
      const cn = firstCn(socket.getPeerCertificate().subject?.CN);
      socket.destroy();
      resolve(cn);
    });
    socket.on('error', reject);
  });
}

describe('TLS listener', () => {
  it('serves HTTP/1.1 over TLS to the upstream', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startListener(
      cleanups,
      { tls: { certificates: [{ cert: certs.server.certPath, key: certs.server.keyPath }] } },
      snapshot({ paths: [{ path: '/tls' }], targets: [up.url] }),
    );
    const answer = await get(gw.port, { path: '/tls/a' });
    expect(answer).toMatchObject({ status: 200, version: '1.1', peerCn: 'api.example.com' });
    expect(JSON.parse(answer.body).url).toBe('/a');
    expect(up.requests[0]!.headers['x-forwarded-proto']).toBe('https');
  });

  it('picks the certificate by SNI: exact name, wildcard, else the first one', async () => {
    const gw = await startListener(cleanups, {
      tls: {
        certificates: [
          { cert: certs.other.cert, key: certs.other.key },
          { cert: certs.server.cert, key: certs.server.key },
        ],
      },
    });
    expect(await presented(gw.port, 'api.example.com')).toBe('api.example.com');
    expect(await presented(gw.port, 'shop.apps.example.com')).toBe('api.example.com');
    expect(await presented(gw.port, 'deep.shop.apps.example.com')).toBe('other.test');
    expect(await presented(gw.port, 'unknown.test')).toBe('other.test');
    expect(await presented(gw.port)).toBe('other.test');
  });

  it('reloads the certificates on demand and when the files change, for new connections only', async () => {
    const dir = certs.dir;
    const certPath = `${dir}/live.crt`;
    const keyPath = `${dir}/live.key`;
    writeFileSync(certPath, certs.server.cert);
    writeFileSync(keyPath, certs.server.key);
    const gw = await startListener(cleanups, {
      tls: { certificates: [{ cert: certPath, key: keyPath }], watchDebounceMs: 50 },
    });
    expect(await presented(gw.port, 'api.example.com')).toBe('api.example.com');
    const renewed = certs.issue('renewed', 'renewed.example.com', ['api.example.com']);
    writeFileSync(certPath, renewed.cert);
    writeFileSync(keyPath, renewed.key);
    gw.listener.reloadCertificates();
    expect(await presented(gw.port, 'api.example.com')).toBe('renewed.example.com');
    expect(await presented(gw.port)).toBe('renewed.example.com');

    // Watched: a new pair renamed over the files is picked up after the debounce.
    writeFileSync(`${certPath}.new`, certs.server.cert);
    writeFileSync(`${keyPath}.new`, certs.server.key);
    renameSync(`${certPath}.new`, certPath);
    renameSync(`${keyPath}.new`, keyPath);
    await expect.poll(() => presented(gw.port, 'api.example.com'), { timeout: 3_000 }).toBe('api.example.com');

    // A broken file: the reload fails and the current certificate stays.
    writeFileSync(keyPath, 'not a key');
    expect(() => gw.listener.reloadCertificates()).toThrow();
    expect(await presented(gw.port, 'api.example.com')).toBe('api.example.com');
    writeFileSync(keyPath, readFileSync(certs.server.keyPath));
  });

  it('clientAuth required: rejects clients without a trusted certificate', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startListener(
      cleanups,
      {
        tls: {
          certificates: [{ cert: certs.server.cert, key: certs.server.key }],
          clientAuth: 'required',
          ca: certs.caPath,
        },
      },
      snapshot({ paths: [{ path: '/tls' }], targets: [up.url] }),
    );
    await expect(get(gw.port)).rejects.toThrow();
    await expect(get(gw.port, { cert: certs.rogue.cert, key: certs.rogue.key })).rejects.toThrow();
    expect(await get(gw.port, { cert: certs.client.cert, key: certs.client.key })).toMatchObject({ status: 200 });
    expect(up.requests).toHaveLength(1);
  });

  it('clientAuth request: accepts every client and exposes the verified certificate to the request path', async () => {
    const up = await echoUpstream(cleanups);
    const gw = await startListener(
      cleanups,
      {
        tls: {
          certificates: [{ cert: certs.server.cert, key: certs.server.key }],
          clientAuth: 'request',
          ca: certs.ca,
        },
      },
      snapshot({ paths: [{ path: '/tls' }], targets: [up.url] }),
    );
    const seen: { authorized: boolean; cn: string | undefined }[] = [];
    gw.listener.server.prependListener('request', (req) => {
      const socket = req.socket as TLSSocket;
      seen.push({ authorized: socket.authorized, cn: firstCn(socket.getPeerCertificate().subject?.CN) });
    });
    expect((await get(gw.port)).status).toBe(200);
    expect((await get(gw.port, { cert: certs.client.cert, key: certs.client.key })).status).toBe(200);
    expect((await get(gw.port, { cert: certs.rogue.cert, key: certs.rogue.key })).status).toBe(200);
    expect(seen).toEqual([
      { authorized: false, cn: undefined },
      { authorized: true, cn: 'client-app' },
      { authorized: false, cn: 'rogue' },
    ]);
  });

  it('rejects a configuration without certificates or with clientAuth but no trust store', async () => {
    await expect(startListener(cleanups, { tls: { certificates: [] } })).rejects.toThrow(/certificate/);
    await expect(
      startListener(cleanups, {
        tls: { certificates: [{ cert: certs.server.cert, key: certs.server.key }], clientAuth: 'required' },
      }),
    ).rejects.toThrow(/ca/);
    await expect(
      startListener(cleanups, { tls: { certificates: [{ cert: '/nonexistent.crt', key: certs.server.key }] } }),
    ).rejects.toThrow(/cannot be read/);
  });
});
