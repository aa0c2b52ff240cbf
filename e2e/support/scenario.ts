import { createHash, randomBytes } from 'node:crypto';
import { type EchoUpstream, readJsonFixture } from '@apim/testkit';
import { expect } from 'vitest';
import { eventually } from './process.js';

export interface Urls {
  management: string;
  gateway: string;
  password: string;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A management API call as the admin, returning the parsed JSON body (or undefined for empty bodies). */
/** The fields of management API answers the scenarios read. */
export interface ManagementAnswer {
  id?: string;
  state?: string;
  [key: string]: unknown;
}

export async function manage(
  urls: Urls,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: ManagementAnswer }> {
  const response = await fetch(`${urls.management}/management/v2/environments/DEFAULT${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`admin:${urls.password}`).toString('base64')}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as ManagementAnswer) : {} };
}

/** The Gravitee v4 export fixture with its endpoint target pointed at the local upstream. */
export function proxyExport(upstream: EchoUpstream): unknown {
  const exported = readJsonFixture<{
    api: { endpointGroups: { endpoints: { configuration: { target: string } }[] }[] };
  }>('gravitee/v4-proxy-export.json');
  const endpoint = exported.api.endpointGroups[0]?.endpoints[0];
  if (!endpoint) throw new Error('the fixture has no endpoint');
  endpoint.configuration.target = `${upstream.url}/echo`;
  return exported;
}

/** Imports the fixture, deploys and starts it; returns the API id. */
export async function importDeployStart(urls: Urls, upstream: EchoUpstream): Promise<string> {
  const imported = await manage(urls, 'POST', '/apis/_import/definition', proxyExport(upstream));
  expect(imported.status, JSON.stringify(imported.json)).toBe(201);
  const apiId = imported.json.id as string;
  const deployed = await manage(urls, 'POST', `/apis/${apiId}/deployments`, { deploymentLabel: 'e2e' });
  expect([200, 202]).toContain(deployed.status);
  const current = await manage(urls, 'GET', `/apis/${apiId}`);
  if (current.json.state !== 'STARTED') {
    const started = await manage(urls, 'POST', `/apis/${apiId}/_start`);
    expect(started.status, JSON.stringify(started.json)).toBe(204);
  }
  return apiId;
}

/** Waits until the gateway answers `path` with `status`. */
export async function waitForStatus(gateway: string, path: string, status: number, timeoutMs = 5_000): Promise<number> {
  return eventually(
    async () => {
      const response = await fetch(`${gateway}${path}`);
      await response.arrayBuffer();
      return response.status === status;
    },
    timeoutMs,
    `GET ${path} -> ${status}`,
  );
}

/**
 * Calls the API through the gateway and checks that method, path, query, headers and a 1 MB body arrive intact at
 * the upstream, and that the upstream's 1 MB answer comes back intact.
 */
export async function assertProxiesIntact(gateway: string, upstream: EchoUpstream): Promise<void> {
  const body = randomBytes(1024 * 1024);
  const before = upstream.requests.length;
  const response = await fetch(`${gateway}/proxy-api/items/42?q=a%20b&q=c&empty=`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'x-custom': 'hello', accept: 'application/octet-stream' },
    body,
  });
  const answer = new Uint8Array(await response.arrayBuffer());
  expect(response.status).toBe(200);
  expect(response.headers.get('x-upstream-method')).toBe('PUT');
  expect(answer.length).toBe(body.length);
  expect(sha256(answer)).toBe(sha256(body));
  // The fixture's endpoint group has an active health check (GET / every second): skip its probes.
  const proxied = upstream.requests.slice(before).filter((r) => r.url.startsWith('/echo/'));
  expect(proxied.length).toBe(1);
  const seen = proxied[0];
  expect(seen?.method).toBe('PUT');
  expect(seen?.url).toBe('/echo/items/42?q=a%20b&q=c&empty=');
  expect(seen?.headers['x-custom']).toBe('hello');
  expect(seen?.headers['x-forwarded-for']).toBeTruthy();
  expect(sha256(seen?.body ?? new Uint8Array())).toBe(sha256(body));

  const get = await fetch(`${gateway}/proxy-api?only=query`, { headers: { 'x-trace': 't1' } });
  expect(get.status).toBe(200);
  const echoed = (await get.json()) as { method: string; url: string; headers: Record<string, string> };
  expect(echoed.method).toBe('GET');
  expect(echoed.url).toBe('/echo?only=query');
  expect(echoed.headers['x-trace']).toBe('t1');
}
