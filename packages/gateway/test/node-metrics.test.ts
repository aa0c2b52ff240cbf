import type { ConfigStore } from '@apim/core';
import { type EchoUpstream, startEchoUpstream } from '@apim/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type CompletedRequest, NodeMetrics, type RunningGateway, startGateway } from '../src/index.js';
import { send, snapshot } from './helpers.js';
import { basic, NODE_PASSWORD, NODE_USER, nodeGet, parsePrometheus, type Sample, sampleValue } from './node-helpers.js';
import { memoryStore, publish, setState } from './store-helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

interface Setup {
  up: EchoUpstream;
  store: ConfigStore;
  gw: RunningGateway & { nodePort: number };
}

/** A gateway with its node service: `api-1` on /one proxies to an echo upstream, `api-2` on /two to a closed port. */
async function setup(): Promise<Setup> {
  const up = await startEchoUpstream();
  cleanups.push(() => up.close());
  const store = await memoryStore();
  cleanups.push(() => store.close());
  await publish(store, 'api-1', snapshot({ id: 'api-1', paths: [{ path: '/one' }], targets: [up.url] }));
  await publish(store, 'api-2', snapshot({ id: 'api-2', paths: [{ path: '/two' }], targets: ['http://127.0.0.1:9'] }));
  const gw = await startGateway({
    store,
    port: 0,
    host: '127.0.0.1',
    syncIntervalMs: 60_000,
    node: { port: 0, authentication: { type: 'basic', users: { [NODE_USER]: NODE_PASSWORD } } },
  });
  cleanups.push(() => gw.close());
  return { up, store, gw: gw as Setup['gw'] };
}

async function scrape(port: number): Promise<Sample[]> {
  const res = await nodeGet(port, '/_node/metrics/prometheus');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(res.body.toString());
}

/** Scrapes until `check` passes (the observer runs when the response has finished, maybe after the client read it). */
async function eventually(port: number, check: (samples: Sample[]) => void): Promise<Sample[]> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const samples = await scrape(port);
    try {
      check(samples);
      return samples;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

const completed = (overrides: Partial<CompletedRequest>): CompletedRequest => ({
  apiId: 'api-1',
  planId: 'plan-0',
  endpoint: 'endpoint-0',
  method: 'GET',
  status: 200,
  errorKey: undefined,
  durationMs: 3,
  endpointDurationMs: 2,
  aborted: false,
  ...overrides,
});

describe('GET /_node/metrics/prometheus', () => {
  it('counts real proxied requests by API, status class and error key', async () => {
    const { gw } = await setup();
    for (let i = 0; i < 3; i++) expect((await send(gw.port, { path: '/one/ok' })).status).toBe(200);
    expect((await send(gw.port, { path: '/one/down', headers: { 'x-echo-status': '503' } })).status).toBe(503);
    expect((await send(gw.port, { path: '/two' })).status).toBe(502);
    expect((await send(gw.port, { path: '/nowhere' })).status).toBe(404);

    const samples = await eventually(gw.nodePort, (s) => {
      expect(sampleValue(s, 'apim_gateway_requests_total', { api: 'api-1', status_class: '2xx' })).toBe(3);
    });
    expect(sampleValue(samples, 'apim_gateway_requests_total', { api: 'api-1', status_class: '5xx' })).toBe(1);
    expect(
      sampleValue(samples, 'apim_gateway_requests_total', {
        api: 'api-2',
        status_class: '5xx',
        error_key: 'GATEWAY_CLIENT_CONNECTION_ERROR',
      }),
    ).toBe(1);
    expect(sampleValue(samples, 'apim_gateway_requests_total', { api: '', status_class: '4xx' })).toBe(1);
    expect(
      sampleValue(samples, 'apim_gateway_upstream_errors_total', {
        api: 'api-2',
        key: 'GATEWAY_CLIENT_CONNECTION_ERROR',
      }),
    ).toBe(1);
    expect(sampleValue(samples, 'apim_gateway_request_duration_seconds_count', { api: 'api-1' })).toBe(4);
    expect(sampleValue(samples, 'apim_gateway_request_duration_seconds_bucket', { api: 'api-1', le: '+Inf' })).toBe(4);
    expect(sampleValue(samples, 'apim_gateway_endpoint_duration_seconds_count', { api: 'api-1' })).toBe(4);
    expect(sampleValue(samples, 'apim_gateway_request_duration_seconds_sum', { api: 'api-1' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'apim_gateway_deployed_apis')).toBe(2);
    expect(sampleValue(samples, 'apim_gateway_syncs_total')).toBe(1);
    expect(sampleValue(samples, 'apim_gateway_sync_failures_total')).toBe(0);
    const lag = sampleValue(samples, 'apim_gateway_sync_lag_seconds')!;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(30);
    // Process metrics: prom-client's defaults and the event-loop delay gauge.
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    for (const stat of ['p50', 'p99', 'max']) {
      expect(sampleValue(samples, 'apim_gateway_event_loop_delay_seconds', { stat })).toBeGreaterThanOrEqual(0);
    }
  });

  it('requires the node credentials', async () => {
    const { gw } = await setup();
    expect((await nodeGet(gw.nodePort, '/_node/metrics/prometheus', null)).status).toBe(401);
    expect((await nodeGet(gw.nodePort, '/_node/metrics/prometheus', basic(NODE_USER, 'x'))).status).toBe(401);
  });
});

describe('NodeMetrics', () => {
  it('records status classes, error keys, upstream errors and aborted requests from the observer', async () => {
    const { gw } = await setup();
    const metrics = new NodeMetrics({ registry: gw.registry, sync: gw.sync, processMetrics: false });
    const { requestCompleted } = metrics.observer;
    requestCompleted(completed({ durationMs: 0.5, endpointDurationMs: 0.4 }));
    requestCompleted(completed({ durationMs: 20, endpointDurationMs: 19 }));
    requestCompleted(completed({ status: 0, aborted: true, endpointDurationMs: -1, durationMs: 7_000 }));
    requestCompleted(completed({ status: 504, errorKey: 'GATEWAY_CLIENT_CONNECTION_TIMEOUT', endpointDurationMs: -1 }));
    requestCompleted(completed({ status: 401, errorKey: 'GATEWAY_PLAN_UNRESOLVABLE', endpoint: undefined }));
    requestCompleted(
      completed({ apiId: undefined, endpoint: undefined, status: 404, errorKey: 'GATEWAY_NO_CONTEXT_PATH_MATCH' }),
    );
    const samples = parsePrometheus(await metrics.metrics());
    const requests = (labels: Record<string, string>) => sampleValue(samples, 'apim_gateway_requests_total', labels);
    expect(requests({ api: 'api-1', status_class: '2xx', error_key: '' })).toBe(2);
    expect(requests({ api: 'api-1', status_class: 'none', error_key: '' })).toBe(1);
    expect(requests({ api: 'api-1', status_class: '5xx', error_key: 'GATEWAY_CLIENT_CONNECTION_TIMEOUT' })).toBe(1);
    expect(requests({ api: 'api-1', status_class: '4xx', error_key: 'GATEWAY_PLAN_UNRESOLVABLE' })).toBe(1);
    expect(requests({ api: '', status_class: '4xx', error_key: 'GATEWAY_NO_CONTEXT_PATH_MATCH' })).toBe(1);
    // Only failures of a request that reached an endpoint are upstream errors.
    const upstream = samples.filter((s) => s.name === 'apim_gateway_upstream_errors_total');
    expect(upstream).toEqual([
      {
        name: 'apim_gateway_upstream_errors_total',
        labels: { api: 'api-1', key: 'GATEWAY_CLIENT_CONNECTION_TIMEOUT' },
        value: 1,
      },
    ]);
    expect(sampleValue(samples, 'apim_gateway_aborted_requests_total', { api: 'api-1' })).toBe(1);
    const bucket = (le: string) =>
      sampleValue(samples, 'apim_gateway_request_duration_seconds_bucket', { api: 'api-1', le });
    expect([bucket('0.001'), bucket('0.025'), bucket('5'), bucket('10'), bucket('+Inf')]).toEqual([1, 4, 4, 5, 5]);
    expect(sampleValue(samples, 'apim_gateway_endpoint_duration_seconds_count', { api: 'api-1' })).toBe(3);
    expect(samples.some((s) => s.name.startsWith('process_') || s.name.startsWith('nodejs_'))).toBe(false);
  });

  it('drops the series of an undeployed API one scrape after it is gone', async () => {
    const { gw, store } = await setup();
    const metrics = new NodeMetrics({ registry: gw.registry, sync: gw.sync, processMetrics: false });
    metrics.observer.requestCompleted(completed({ apiId: 'api-1' }));
    metrics.observer.requestCompleted(
      completed({ apiId: 'api-2', status: 502, errorKey: 'GATEWAY_CLIENT_CONNECTION_ERROR' }),
    );
    await setState(store, 'api-2', 'STOPPED');
    await gw.sync.syncNow();
    expect(gw.registry.get('api-2')).toBeUndefined();
    const apis = (samples: Sample[]) =>
      new Set(samples.filter((s) => s.name.startsWith('apim_gateway_')).map((s) => s.labels.api));
    expect(apis(parsePrometheus(await metrics.metrics()))).toEqual(new Set([undefined, 'api-1', 'api-2']));
    const after = parsePrometheus(await metrics.metrics());
    expect(apis(after)).toEqual(new Set([undefined, 'api-1']));
    expect(sampleValue(after, 'apim_gateway_deployed_apis')).toBe(1);
    // A late request of the undeployed API starts its series again.
    metrics.observer.requestCompleted(completed({ apiId: 'api-2' }));
    expect(sampleValue(parsePrometheus(await metrics.metrics()), 'apim_gateway_requests_total', { api: 'api-2' })).toBe(
      1,
    );
  });
});
