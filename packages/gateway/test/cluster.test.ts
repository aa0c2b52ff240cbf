/**
 * The gateway on two worker processes, as `apim gateway` runs it with `APIM_GATEWAY_WORKERS=2` (the built CLI in a
 * real process, so node:cluster forks the built worker script): one sync in the primary feeding both workers, a
 * killed worker replaced, metrics summed over the workers, and a graceful drain on SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigStore } from '@apim/core';
import { createConfigStore } from '@apim/repository-sql';
import { type EchoUpstream, startEchoUpstream } from '@apim/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApimProcess, eventually, freePort, startApim } from '../../../e2e/support/process.js';
import { startGatewayCluster } from '../src/index.js';
import { send, snapshot } from './helpers.js';
import { addEnvironment, publish, setState } from './store-helpers.js';

const NODE_AUTH = { authorization: `Basic ${Buffer.from('admin:cluster-secret').toString('base64')}` };

/** Requests on new connections (the primary hands connections to the workers in turn). */
async function burst(port: number, path: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await send(port, { path })).status);
  return statuses;
}

interface WorkerView {
  id: number;
  pid: number;
  listening: boolean;
  requests?: number;
}

describe('apim gateway with 2 workers', () => {
  let dir: string;
  let store: ConfigStore;
  let upstream: EchoUpstream;
  let gateway: ApimProcess | undefined;
  let port: number;
  let nodePort: number;

  const nodeGet = (path: string) => send(nodePort, { path, headers: NODE_AUTH });
  const workers = async () => JSON.parse((await nodeGet('/_node/workers')).body.toString()) as WorkerView[];
  const requestsByPid = async () => new Map((await workers()).map((worker) => [worker.pid, worker.requests ?? 0]));
  const metric = async (name: string, labels: string) => {
    const text = (await nodeGet('/_node/metrics/prometheus')).body.toString();
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apim-cluster-'));
    const url = `sqlite:${join(dir, 'apim.db')}`;
    store = await createConfigStore({ url });
    await addEnvironment(store, 'DEFAULT', 'DEFAULT');
    upstream = await startEchoUpstream();
    await publish(store, 'before', snapshot({ id: 'before', paths: [{ path: '/before' }], targets: [upstream.url] }));
    [port, nodePort] = [await freePort(), await freePort()];
    gateway = await startApim('gateway', {
      APIM_REPOSITORY_URL: url,
      APIM_DATA_DIR: dir,
      APIM_GATEWAY_WORKERS: '2',
      APIM_GATEWAY_PORT: String(port),
      APIM_GATEWAY_HOST: '127.0.0.1',
      APIM_GATEWAY_SYNC_INTERVAL_MS: '100',
      APIM_NODE_PORT: String(nodePort),
      APIM_NODE_PASSWORD: 'cluster-secret',
      APIM_LOG_LEVEL: 'info',
    });
  });

  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await upstream?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves an API deployed before start from both workers, and one deployed after within 1 s', async () => {
    const listed = await workers();
    expect(listed).toHaveLength(2);
    expect(new Set(listed.map((worker) => worker.pid)).size).toBe(2);
    expect(listed.every((worker) => worker.listening && worker.pid !== gateway?.child.pid)).toBe(true);

    expect(await burst(port, '/before/a', 20)).toEqual(Array(20).fill(200));
    // The load is spread: each worker process counted some of the requests.
    const counts = await requestsByPid();
    expect([...counts.values()].every((count) => count > 0)).toBe(true);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(20);

    await publish(store, 'after', snapshot({ id: 'after', paths: [{ path: '/after' }], targets: [upstream.url] }));
    const elapsed = await eventually(async () => (await send(port, { path: '/after' })).status === 200, 5_000);
    expect(elapsed).toBeLessThan(1_000);
    // Served by every worker, not only by the one that answered first.
    const before = await requestsByPid();
    expect(await burst(port, '/after/b', 10)).toEqual(Array(10).fill(200));
    const after = await requestsByPid();
    for (const [pid, count] of after) expect(count).toBeGreaterThan(before.get(pid) ?? 0);
  });

  it("sums the workers' request metrics in the primary's Prometheus endpoint", async () => {
    const counts = await requestsByPid();
    const served = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(await metric('apim_gateway_requests_total', '{api="before",status_class="2xx",error_key=""}')).toBe(20);
    const after = await metric('apim_gateway_requests_total', '{api="after",status_class="2xx",error_key=""}');
    expect(after).toBeGreaterThanOrEqual(11);
    expect(await metric('apim_gateway_request_duration_seconds_count', '{api="before"}')).toBe(20);
    expect(await metric('apim_gateway_workers', '')).toBe(2);
    expect(await metric('apim_gateway_deployed_apis', '')).toBe(2);
    // Every request a worker counted is in the sum (the 404s of the polling above included).
    const notFound =
      (await metric(
        'apim_gateway_requests_total',
        '{api="",status_class="4xx",error_key="GATEWAY_NO_CONTEXT_PATH_MATCH"}',
      )) ?? 0;
    expect(20 + (after ?? 0) + notFound).toBe(served);

    const health = await nodeGet('/_node/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body.toString())).toMatchObject({
      'http-server': { healthy: true },
      'sync-process': { healthy: true },
    });
    const apis = JSON.parse((await nodeGet('/_node/apis')).body.toString()) as { id: string }[];
    expect(apis.map((api) => api.id).sort()).toEqual(['after', 'before']);
    const detail = await nodeGet('/_node/apis/after');
    expect(detail.status).toBe(200);
    expect(JSON.parse(detail.body.toString())).toMatchObject({
      id: 'after',
      revision: 1,
      contextPaths: [{ path: '/after' }],
    });
  });

  it('undeploys from every worker', async () => {
    await setState(store, 'after', 'STOPPED');
    await eventually(async () => (await send(port, { path: '/after' })).status === 404, 5_000);
    expect(await burst(port, '/after', 10)).toEqual(Array(10).fill(404));
    expect(await burst(port, '/before', 4)).toEqual(Array(4).fill(200));
    expect((await nodeGet('/_node/apis/after')).status).toBe(404);
  });

  it('shares the in-memory rate-limit counters of the workers: the limit holds across them', async () => {
    const definition = snapshot({ id: 'limited', paths: [{ path: '/limited' }], targets: [upstream.url] });
    (definition.api as { flows?: unknown[] }).flows = [
      {
        name: 'limit',
        selectors: [{ type: 'HTTP', path: '/', pathOperator: 'STARTS_WITH', methods: [] }],
        request: [
          {
            name: 'Rate Limit',
            policy: 'rate-limit',
            configuration: { rate: { limit: 6, periodTime: 1, periodTimeUnit: 'MINUTES' } },
          },
        ],
        response: [],
      },
    ];
    await publish(store, 'limited', definition);
    await eventually(async () => (await workers()).every((worker) => worker.listening), 5_000);
    const before = await requestsByPid();
    // The first answer may come before every worker has the API: wait until one serves it, counted in the limit.
    await eventually(async () => (await send(port, { path: '/limited' })).status === 200, 5_000);
    // Both workers got the deploy in the same broadcast; give the slower one time to compile it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const statuses = await burst(port, '/limited', 15);
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    const after = await requestsByPid();
    for (const [pid, count] of after) expect(count).toBeGreaterThan(before.get(pid) ?? 0);
  });

  it('replaces a worker killed with SIGKILL; requests keep being served', async () => {
    const [victim, survivor] = await workers();
    const served = '{api="before",status_class="2xx",error_key=""}';
    const scraped = (await metric('apim_gateway_requests_total', served))!;
    process.kill(victim!.pid, 'SIGKILL');
    // Once the primary has seen the worker die (a connection handed to it in that very instant is lost: node:cluster
    // cannot take it back), the other worker serves everything while the replacement starts.
    await eventually(async () => !(await workers()).some((w) => w.pid === victim!.pid), 5_000, 'the death seen');
    expect(await burst(port, '/before', 10)).toEqual(Array(10).fill(200));
    await eventually(
      async () => {
        const listed = await workers();
        return listed.length === 2 && listed.every((w) => w.listening) && !listed.some((w) => w.pid === victim!.pid);
      },
      15_000,
      'a replacement worker',
    );
    const replacement = (await workers()).find((worker) => worker.pid !== survivor!.pid)!;
    expect(await burst(port, '/before', 20)).toEqual(Array(20).fill(200));
    expect((await requestsByPid()).get(replacement.pid)).toBeGreaterThan(0);
    expect(gateway?.output()).toContain('gateway worker died, starting a replacement');
    expect(gateway?.output()).toContain('gateway worker replaced');
    // The killed worker's counts as of the last scrape stay in the sum: the counter does not go back.
    expect(await metric('apim_gateway_requests_total', served)).toBe(scraped + 30);
  });

  it('drains on SIGTERM: every in-flight request completes with 200 and the process exits 0', async () => {
    const received = upstream.requests.length;
    const slow = Array.from({ length: 6 }, () =>
      send(port, { path: '/before/slow', headers: { 'x-echo-delay-ms': '1000' } }),
    );
    await eventually(async () => upstream.requests.length >= received + 6, 5_000, 'requests in flight');
    const pids = (await workers()).map((worker) => worker.pid);
    const exited = gateway!.stop('SIGTERM');
    const responses = await Promise.all(slow);
    expect(responses.map((response) => response.status)).toEqual(Array(6).fill(200));
    expect(await exited).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(gateway?.output()).toContain('gateway worker stopped');
  });
});

describe('apim gateway workers whose primary dies', () => {
  it('drain and exit on the IPC disconnect', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apim-cluster-'));
    const url = `sqlite:${join(dir, 'apim.db')}`;
    const store = await createConfigStore({ url });
    await addEnvironment(store, 'DEFAULT', 'DEFAULT');
    const nodePort = await freePort();
    const gateway = await startApim('gateway', {
      APIM_REPOSITORY_URL: url,
      APIM_DATA_DIR: dir,
      APIM_GATEWAY_WORKERS: '2',
      APIM_GATEWAY_PORT: String(await freePort()),
      APIM_GATEWAY_HOST: '127.0.0.1',
      APIM_NODE_PORT: String(nodePort),
      APIM_NODE_PASSWORD: 'cluster-secret',
    });
    try {
      const listed = await send(nodePort, { path: '/_node/workers', headers: NODE_AUTH });
      const pids = (JSON.parse(listed.body.toString()) as WorkerView[]).map((worker) => worker.pid);
      expect(pids).toHaveLength(2);
      await gateway.stop('SIGKILL');
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      await eventually(async () => !pids.some(alive), 10_000, 'the workers gone');
    } finally {
      await gateway.stop('SIGKILL');
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('startGatewayCluster', () => {
  it('starts from the sources with the built worker script, serves, and closes', async () => {
    const store = await createConfigStore({ url: 'sqlite::memory:' });
    await addEnvironment(store, 'DEFAULT', 'DEFAULT');
    const upstream = await startEchoUpstream();
    await publish(store, 'one', snapshot({ id: 'one', paths: [{ path: '/one' }], targets: [upstream.url] }));
    const gateway = await startGatewayCluster({ store, port: 0, host: '127.0.0.1', workers: 2, syncIntervalMs: 100 });
    try {
      expect(gateway.workerPids()).toHaveLength(2);
      expect(await burst(gateway.port, '/one', 4)).toEqual(Array(4).fill(200));
      await publish(store, 'two', snapshot({ id: 'two', paths: [{ path: '/two' }], targets: [upstream.url] }));
      await eventually(async () => (await send(gateway.port, { path: '/two' })).status === 200, 5_000);
    } finally {
      await gateway.close();
      await upstream.close();
      await store.close();
    }
    expect(gateway.workerPids()).toEqual([]);
  });
});
