import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupList } from './server-helpers.js';
import {
  closedPort,
  closeOf,
  echoUpstream,
  exchange,
  startTcpProxy,
  tcpApi,
  tcpClient,
  until,
  validTcpApi,
} from './tcp-proxy-helpers.js';
import { makeCertificates, type TestCertificates } from './tls-helpers.js';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());
const cleanups = cleanupList();
afterEach(() => cleanups.run());

const HOST = 'db.apps.example.com';

describe('TCP proxy server', () => {
  it('pipes bytes both ways between the TLS client and the endpoint, 1 MB included', async () => {
    const up = await echoUpstream(cleanups);
    const { port, table, completed } = await startTcpProxy(cleanups, certs);
    table.apply('tcp-api', validTcpApi(tcpApi('tcp-api', [HOST], [{ port: up.port }])));

    expect((await exchange(await tcpClient(port, HOST, certs.ca), 'hello')).toString()).toBe('hello');
    const payload = randomBytes(1024 * 1024);
    const echoed = await exchange(await tcpClient(port, HOST.toUpperCase(), certs.ca), payload);
    expect(echoed.equals(payload)).toBe(true);

    await until(() => completed.length >= 2);
    expect(completed).toHaveLength(2);
    expect(completed[1]).toMatchObject({ apiId: 'tcp-api', endpoint: 'tcp-0', method: 'TCP', status: 200 });
    expect(completed[1]!.errorKey).toBeUndefined();
  });

  it('keeps the other direction open after a half-close', async () => {
    // The upstream answers only once the client has finished sending.
    const up = await echoUpstream(cleanups, { onEnd: (socket) => setTimeout(() => socket.end('bye'), 50) });
    const { port, table } = await startTcpProxy(cleanups, certs);
    table.apply('tcp-api', validTcpApi(tcpApi('tcp-api', [HOST], [{ port: up.port }])));
    expect((await exchange(await tcpClient(port, HOST, certs.ca), 'ping')).toString()).toBe('pingbye');
  });

  it('refuses a server name no API serves, and a handshake without SNI', async () => {
    const up = await echoUpstream(cleanups);
    const { port, table } = await startTcpProxy(cleanups, certs);
    table.apply('tcp-api', validTcpApi(tcpApi('tcp-api', [HOST], [{ port: up.port }])));
    await expect(tcpClient(port, 'unknown.apps.example.com', certs.ca)).rejects.toThrow();
    // Without SNI the handshake completes with the default certificate, then the connection is closed.
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: certs.ca, checkServerIdentity: () => undefined });
    socket.on('error', () => undefined);
    expect(['end', 'error', 'close']).toContain(await closeOf(socket));
    expect(up.connections()).toBe(0);
  });

  it('closes the client when the endpoint is down, and reports it', async () => {
    const { port, table, completed } = await startTcpProxy(cleanups, certs);
    table.apply('tcp-api', validTcpApi(tcpApi('tcp-api', [HOST], [{ port: await closedPort() }])));
    const socket = await tcpClient(port, HOST, certs.ca);
    expect(['end', 'error', 'close']).toContain(await closeOf(socket));
    await until(() => completed.length >= 1);
    expect(completed).toEqual([
      expect.objectContaining({ apiId: 'tcp-api', status: 0, errorKey: 'GATEWAY_CLIENT_CONNECTION_ERROR' }),
    ]);
  });

  it('gives up after the connect timeout of the endpoint group', async () => {
    // A secured endpoint whose server accepts the TCP connection and never answers the TLS handshake.
    const silent = createServer(() => undefined).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.add(async () => {
      silent.close();
    });
    const { port, table, completed } = await startTcpProxy(cleanups, certs);
    const target = { port: (silent.address() as AddressInfo).port, secured: true };
    table.apply('tcp-api', validTcpApi(tcpApi('tcp-api', [HOST], [target], { tcp: { connectTimeout: 200 } })));
    const started = Date.now();
    await closeOf(await tcpClient(port, HOST, certs.ca));
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(2_000);
    await until(() => completed.length >= 1);
    expect(completed).toEqual([
      expect.objectContaining({ status: 0, errorKey: 'GATEWAY_CLIENT_CONNECTION_TIMEOUT', aborted: true }),
    ]);
  });

  it('connects to a secured endpoint with TLS (trust store or trustAll), and fails on an untrusted one', async () => {
    const local = certs.issue('upstream', 'localhost', ['localhost']);
    const up = await echoUpstream(cleanups, { tls: { cert: local.cert, key: local.key } });
    const { port, table } = await startTcpProxy(cleanups, certs);
    const target = { host: 'localhost', port: up.port, secured: true };
    table.apply(
      'trusted',
      validTcpApi(
        tcpApi('trusted', ['a.apps.example.com'], [target], {
          ssl: { trustStore: { type: 'PEM', content: certs.ca } },
        }),
      ),
    );
    table.apply('all', validTcpApi(tcpApi('all', ['b.apps.example.com'], [target], { ssl: { trustAll: true } })));
    table.apply('default', validTcpApi(tcpApi('default', ['c.apps.example.com'], [target])));

    expect((await exchange(await tcpClient(port, 'a.apps.example.com', certs.ca), 'sec')).toString()).toBe('sec');
    expect((await exchange(await tcpClient(port, 'b.apps.example.com', certs.ca), 'all')).toString()).toBe('all');
    const refused = await tcpClient(port, 'c.apps.example.com', certs.ca);
    expect(['end', 'error', 'close']).toContain(await closeOf(refused));
  });

  it('balances connections across the endpoints (round robin)', async () => {
    const first = await echoUpstream(cleanups);
    const second = await echoUpstream(cleanups);
    const { port, table } = await startTcpProxy(cleanups, certs);
    table.apply('tcp-api', validTcpApi(tcpApi('tcp-api', [HOST], [{ port: first.port }, { port: second.port }])));
    for (let i = 0; i < 4; i++) await exchange(await tcpClient(port, HOST, certs.ca), `n${i}`);
    expect([first.connections(), second.connections()]).toEqual([2, 2]);
  });

  it('stops routing new connections of an undeployed API, open ones keep going', async () => {
    const up = await echoUpstream(cleanups);
    const { port, table } = await startTcpProxy(cleanups, certs);
    table.apply('tcp-api', validTcpApi(tcpApi('tcp-api', [HOST], [{ port: up.port }])));
    const open = await tcpClient(port, HOST, certs.ca);
    open.write('a');
    await once(open, 'data');
    table.apply('tcp-api', undefined);
    await expect(tcpClient(port, HOST, certs.ca)).rejects.toThrow();
    expect((await exchange(open, 'b')).toString()).toBe('b');
  });

  it('drain lets open tunnels finish, then cuts them at the deadline', async () => {
    const up = await echoUpstream(cleanups);
    const { port, table, proxy } = await startTcpProxy(cleanups, certs);
    table.apply('tcp-api', validTcpApi(tcpApi('tcp-api', [HOST], [{ port: up.port }])));
    const finishing = await tcpClient(port, HOST, certs.ca);
    const idle = await tcpClient(port, HOST, certs.ca);
    for (const socket of [finishing, idle]) {
      socket.write('x');
      await once(socket, 'data');
    }
    expect(proxy.activeTunnels).toBe(2);

    const started = Date.now();
    const draining = proxy.drain(300);
    const finished = exchange(finishing, 'y');
    const cut = closeOf(idle);
    expect((await finished).toString()).toBe('y');
    await draining;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(['end', 'error', 'close']).toContain(await cut);
    expect(proxy.server.listening).toBe(false);
  });
});
