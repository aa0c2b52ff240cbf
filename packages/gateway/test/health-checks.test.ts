import { afterEach, describe, expect, it } from 'vitest';
import type { ApiRuntime } from '../src/index.js';
import { switchableUpstream, until, withHealthCheck } from './health-helpers.js';
import { send, snapshot, startTestGateway, type TestGateway } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function upstreams(...names: string[]) {
  return startUpstreams('http/1.1', names);
}

async function startUpstreams(protocol: 'http/1.1' | 'h2c', names: string[]) {
  return Promise.all(
    names.map(async (name) => {
      const up = await switchableUpstream(name, 'up', 0, protocol);
      cleanups.push(() => up.close());
      return up;
    }),
  );
}

async function gateway(definition: ReturnType<typeof snapshot>): Promise<{ gw: TestGateway; api: ApiRuntime }> {
  const gw = await startTestGateway(definition);
  cleanups.push(() => gw.close());
  return { gw, api: gw.registry.get('api-1')! };
}

const names = async (port: number, count: number) => {
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await send(port, { path: '/hc' });
    seen.push(res.status === 200 ? (JSON.parse(res.body.toString()) as { name: string }).name : String(res.status));
  }
  return seen;
};

const status = (api: ApiRuntime, name: string) => api.healthStatus().find((endpoint) => endpoint.name === name)!;

describe('health checks', () => {
  it('takes a failing endpoint out of rotation after failureThreshold checks and back after successThreshold', async () => {
    const [a, b] = await upstreams('a', 'b');
    const { gw, api } = await gateway(
      withHealthCheck(snapshot({ paths: [{ path: '/hc' }], targets: [a!.url, b!.url] }), {
        failureThreshold: 2,
        successThreshold: 2,
      }),
    );
    expect(await names(gw.port, 4)).toEqual(['a', 'b', 'a', 'b']);

    a!.mode = 'error';
    await until(() => status(api, 'endpoint-0').results.some((result) => !result.success));
    // One failure is not enough.
    expect(status(api, 'endpoint-0').available).toBe(true);
    await until(() => !status(api, 'endpoint-0').available);
    const failures = status(api, 'endpoint-0').results.filter((result) => !result.success);
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures[0]).toMatchObject({ success: false, status: 500 });
    expect(failures[0]!.message).toContain('#response.status == 200');
    const hitsBefore = a!.hits;
    expect(await names(gw.port, 4)).toEqual(['b', 'b', 'b', 'b']);
    expect(a!.hits).toBe(hitsBefore);

    a!.mode = 'up';
    const checksAtRecovery = a!.healthChecks;
    await until(() => status(api, 'endpoint-0').available);
    expect(a!.healthChecks - checksAtRecovery).toBeGreaterThanOrEqual(2);
    expect(new Set(await names(gw.port, 4))).toEqual(new Set(['a', 'b']));
  }, 20_000);

  it('calls the configured method and path (overrideEndpointPath); a JSON assertion fails on a HEAD response', async () => {
    const [a, b] = await upstreams('a', 'b');
    const { gw, api } = await gateway(
      withHealthCheck(snapshot({ paths: [{ path: '/hc' }], targets: [`${a!.url}/base`, b!.url] }), {
        target: '/health',
        overrideEndpointPath: true,
        method: 'HEAD',
        assertion: "{#response.jsonContent.status == 'UP'}",
        failureThreshold: 1,
        successThreshold: 1,
      }),
    );
    // A HEAD response has no body: the assertion cannot hold, both endpoints leave.
    await until(() => api.healthStatus().every((endpoint) => !endpoint.available));
    expect(a!.lastHealth).toMatchObject({ method: 'HEAD', url: '/health' });
    const res = await send(gw.port, { path: '/hc', headers: { accept: 'application/json' } });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body.toString())).toEqual({ message: 'No endpoint available', http_status_code: 503 });
  }, 20_000);

  it('moves an endpoint whose JSON health says DOWN out of rotation', async () => {
    const [a, b] = await upstreams('a', 'b');
    const { gw, api } = await gateway(
      withHealthCheck(snapshot({ paths: [{ path: '/hc' }], targets: [a!.url, b!.url] }), {
        assertion: "{#response.status == 200 && #response.jsonContent.status == 'UP'}",
        headers: [{ name: 'x-probe', value: 'gateway' }],
        failureThreshold: 1,
        successThreshold: 1,
      }),
    );
    await until(() => status(api, 'endpoint-1').results.length > 0);
    expect(status(api, 'endpoint-1').results[0]).toMatchObject({ success: true, status: 200 });
    expect(b!.lastHealth).toMatchObject({ method: 'GET', url: '/health', headers: { 'x-probe': 'gateway' } });
    b!.mode = 'down';
    await until(() => !status(api, 'endpoint-1').available);
    expect(status(api, 'endpoint-1').results.at(-1)).toMatchObject({ success: false, status: 200 });
    expect(await names(gw.port, 3)).toEqual(['a', 'a', 'a']);
  }, 20_000);

  it('answers 503 GATEWAY_NO_ENDPOINT_AVAILABLE when every endpoint is down', async () => {
    const [a, b] = await upstreams('a', 'b');
    const { gw, api } = await gateway(
      withHealthCheck(snapshot({ paths: [{ path: '/hc' }], targets: [a!.url, b!.url] }), {
        failureThreshold: 1,
      }),
    );
    a!.mode = 'error';
    b!.mode = 'error';
    await until(() => api.healthStatus().every((endpoint) => !endpoint.available));
    const res = await send(gw.port, { path: '/hc', headers: { accept: 'application/json' } });
    expect(res.status).toBe(503);
    expect(a!.hits + b!.hits).toBe(0);
  }, 20_000);

  it('sends traffic to secondary endpoints only when every primary is down', async () => {
    const [a, b, c] = await upstreams('a', 'b', 'c');
    const { gw, api } = await gateway(
      withHealthCheck(
        snapshot({ paths: [{ path: '/hc' }], targets: [a!.url, b!.url, c!.url], secondary: [false, false, true] }),
        { failureThreshold: 1 },
      ),
    );
    expect(new Set(await names(gw.port, 4))).toEqual(new Set(['a', 'b']));
    a!.mode = 'error';
    await until(() => !status(api, 'endpoint-0').available);
    expect(await names(gw.port, 3)).toEqual(['b', 'b', 'b']);
    b!.mode = 'error';
    await until(() => !status(api, 'endpoint-1').available);
    expect(await names(gw.port, 3)).toEqual(['c', 'c', 'c']);
  }, 20_000);

  it('stops checking when the API is undeployed or redeployed', async () => {
    const [a] = await upstreams('a');
    const definition = withHealthCheck(snapshot({ paths: [{ path: '/hc' }], targets: [a!.url] }));
    const { gw } = await gateway(definition);
    await until(() => a!.healthChecks > 0);
    gw.registry.undeploy('api-1');
    const checks = a!.healthChecks;
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(a!.healthChecks).toBe(checks);
  }, 20_000);

  it('checks h2c-only endpoints (http.version HTTP_2) over h2c, as their requests go, out of rotation and back', async () => {
    const [a, b] = await startUpstreams('h2c', ['a', 'b']);
    const definition = snapshot({ paths: [{ path: '/hc' }], targets: [a!.url, b!.url], http: { version: 'HTTP_2' } });
    const { gw, api } = await gateway(withHealthCheck(definition, { failureThreshold: 1, successThreshold: 1 }));
    await until(() => api.healthStatus().every((endpoint) => endpoint.results.length > 0));
    expect(status(api, 'endpoint-0').results[0]).toMatchObject({ success: true, status: 200 });
    expect(a!.lastHealth).toMatchObject({ method: 'GET', url: '/health' });
    expect(await names(gw.port, 4)).toEqual(['a', 'b', 'a', 'b']);

    a!.mode = 'error';
    await until(() => !status(api, 'endpoint-0').available);
    expect(status(api, 'endpoint-0').results.at(-1)).toMatchObject({ success: false, status: 500 });
    expect(await names(gw.port, 3)).toEqual(['b', 'b', 'b']);

    a!.mode = 'up';
    await until(() => status(api, 'endpoint-0').available);
    expect(new Set(await names(gw.port, 4))).toEqual(new Set(['a', 'b']));
  }, 20_000);

  it('takes an h2c endpoint that stopped out of rotation, and back once it listens again', async () => {
    const [a, b] = await startUpstreams('h2c', ['a', 'b']);
    const definition = snapshot({ paths: [{ path: '/hc' }], targets: [a!.url, b!.url], http: { version: 'HTTP_2' } });
    const { gw, api } = await gateway(withHealthCheck(definition, { failureThreshold: 1, successThreshold: 1 }));
    await until(() => status(api, 'endpoint-0').results.some((result) => result.success));
    await a!.close();
    await until(() => !status(api, 'endpoint-0').available);
    expect(status(api, 'endpoint-0').results.at(-1)).toMatchObject({ success: false, status: 0 });
    expect(await names(gw.port, 2)).toEqual(['b', 'b']);
    const again = await switchableUpstream('a', 'up', a!.port, 'h2c');
    cleanups.push(() => again.close());
    await until(() => status(api, 'endpoint-0').available);
    expect(new Set(await names(gw.port, 4))).toEqual(new Set(['a', 'b']));
  }, 20_000);
});
