import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../common/private-address.js';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import { httpCalloutPolicy } from './index.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url === '/missing') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('nope');
        return;
      }
      if (req.url === '/big') {
        res.end('x'.repeat(2048));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-served-by': 'test' });
      res.end(JSON.stringify({ plan: 'gold', echo: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('http-callout', () => {
  it('calls with EL url, headers and body, and maps the answer into attributes', async () => {
    const exec = new InMemoryExecutionContext({ url: '/api/x?user=ada', headers: { 'x-id': '42' } });
    const instance = instantiate(httpCalloutPolicy, {
      method: 'POST',
      url: `${base}/users/{#request.params['user'][0]}`,
      headers: [{ name: 'X-Caller', value: "{#request.headers['x-id'][0]}" }],
      body: '{"id": "{#request.headers[\'x-id\'][0]}"}',
      variables: [
        { name: 'plan', value: "{#jsonPath(#calloutResponse.content, '$.plan')}" },
        { name: 'status', value: '{#calloutResponse.status}' },
        { name: 'served', value: "{#calloutResponse.headers['x-served-by'][0]}" },
        { name: 'literal', value: 'fixed' },
      ],
    });
    await instance.onRequest!(exec);
    expect(exec.interruption).toBeUndefined();
    const call = received.at(-1)!;
    expect(call).toMatchObject({ method: 'POST', url: '/users/ada', body: '{"id": "42"}' });
    expect(call.headers['x-caller']).toBe('42');
    expect(Object.fromEntries(exec.attributes)).toEqual({
      plan: 'gold',
      status: 200,
      served: 'test',
      literal: 'fixed',
    });
  });

  it('exits with errorStatusCode and errorContent when the error condition holds', async () => {
    const config = {
      url: `${base}/missing`,
      exitOnError: true,
      errorStatusCode: '403',
      errorContent: 'Got {#calloutResponse.content}',
    };
    const exec = new InMemoryExecutionContext();
    await instantiate(httpCalloutPolicy, config).onRequest!(exec);
    expect(exec.interruption).toEqual({ status: 403, key: 'CALLOUT_EXIT_ON_INVALID_RESPONSE', message: 'Got nope' });
    const lenient = new InMemoryExecutionContext();
    await instantiate(httpCalloutPolicy, {
      ...config,
      exitOnError: false,
      variables: [{ name: 's', value: '{#calloutResponse.status}' }],
    }).onRequest!(lenient);
    expect(lenient.interruption).toBeUndefined();
    expect(lenient.attributes.get('s')).toBe(404);
  });

  it('interrupts with 500 CALLOUT_HTTP_ERROR when the call fails or the answer is too large', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const exec = new InMemoryExecutionContext();
    await instantiate(httpCalloutPolicy, { url: `http://127.0.0.1:${port}/` }).onRequest!(exec);
    expect(exec.interruption).toMatchObject({ status: 500, key: 'CALLOUT_HTTP_ERROR' });
    const big = new InMemoryExecutionContext();
    await instantiate(httpCalloutPolicy, { url: `${base}/big`, maxResponseSize: 1024 }).onRequest!(big);
    expect(big.interruption).toEqual({
      status: 500,
      key: 'CALLOUT_HTTP_ERROR',
      message: 'the answer is larger than 1024 bytes',
    });
  });

  it('fires and forgets without waiting for the answer', async () => {
    const before = received.length;
    const exec = new InMemoryExecutionContext();
    const instance = instantiate(httpCalloutPolicy, {
      scope: 'RESPONSE',
      url: `${base}/notify`,
      fireAndForget: true,
      variables: [{ name: 'never', value: 'x' }],
    });
    expect(instance.onRequest).toBeUndefined();
    await instance.onResponse!(exec);
    expect(exec.attributes.size).toBe(0);
    await expect.poll(() => received.length).toBe(before + 1);
    expect(received.at(-1)!.url).toBe('/notify');
  });

  it('refuses private addresses when blockPrivateAddresses is set, by IP literal and after DNS resolution', async () => {
    const before = received.length;
    for (const url of [`${base}/x`, base.replace('127.0.0.1', 'localhost')]) {
      const exec = new InMemoryExecutionContext();
      await instantiate(httpCalloutPolicy, { url, blockPrivateAddresses: true }).onRequest!(exec);
      expect(exec.interruption).toMatchObject({ status: 500, key: 'CALLOUT_HTTP_ERROR' });
      expect(exec.interruption!.message).toMatch(/private addresses are blocked/);
    }
    expect(received.length).toBe(before);
  });

  it('classifies private and public addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.31.0.1',
      '192.168.0.1',
      '169.254.169.254',
      '::1',
      '[::1]',
      'fd00::1',
      '::ffff:10.0.0.1',
    ])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '172.32.0.1', '2001:4860::8888', 'example.com'])
      expect(isPrivateAddress(a), a).toBe(false);
  });
});
