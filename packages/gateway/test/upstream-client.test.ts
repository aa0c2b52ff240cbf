import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { send, snapshot, startTestGateway } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** Redirects `/api/old` to `/api/new`, which answers `moved`. */
async function redirectingUpstream(): Promise<string> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/api/old') res.writeHead(302, { location: '/api/new' }).end();
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(`at ${req.url}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
}

async function gateway(target: string, http: Record<string, unknown>) {
  const gw = await startTestGateway(snapshot({ paths: [{ path: '/c' }], targets: [target], http }));
  cleanups.push(() => gw.close());
  return gw;
}

describe('upstream HTTP client settings', () => {
  it('passes redirects to the client by default', async () => {
    const gw = await gateway(await redirectingUpstream(), {});
    const res = await send(gw.port, { path: '/c/old' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/api/new');
  });

  it('follows same-origin redirects with followRedirects', async () => {
    const gw = await gateway(await redirectingUpstream(), { followRedirects: true });
    const res = await send(gw.port, { path: '/c/old' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('at /api/new');
  });
});
