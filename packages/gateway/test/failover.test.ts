import { afterEach, describe, expect, it } from 'vitest';
import type { ApiRuntime } from '../src/index.js';
import { closedPort, type SwitchableUpstream, switchableUpstream, until, withFailover } from './health-helpers.js';
import { send, snapshot, startTestGateway, type TestGateway } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function upstream(name: string, port = 0): Promise<SwitchableUpstream> {
  const up = await switchableUpstream(name, 'up', port);
  cleanups.push(() => up.close());
  return up;
}

async function gateway(definition: ReturnType<typeof snapshot>): Promise<{ gw: TestGateway; api: ApiRuntime }> {
  const gw = await startTestGateway(definition);
  cleanups.push(() => gw.close());
  return { gw, api: gw.registry.get('api-1')! };
}

const circuit = (api: ApiRuntime, name: string) => api.healthStatus().find((e) => e.name === name)!.circuit!;
const nameOf = (body: Buffer) => (JSON.parse(body.toString()) as { name: string }).name;

describe('failover', () => {
  it('retries a refused connection on the next endpoint: every request succeeds', async () => {
    const port = await closedPort();
    const b = await upstream('b');
    const { gw } = await gateway(
      withFailover(snapshot({ paths: [{ path: '/fo' }], targets: [`http://127.0.0.1:${port}`, b.url] }), {
        maxRetries: 1,
        maxFailures: 100,
      }),
    );
    for (let i = 0; i < 6; i++) {
      const res = await send(gw.port, { path: '/fo' });
      expect(res.status).toBe(200);
      expect(nameOf(res.body)).toBe('b');
    }
    expect(b.hits).toBe(6);
  });

  it('does not retry a request with a body', async () => {
    const port = await closedPort();
    const b = await upstream('b');
    const { gw } = await gateway(
      withFailover(snapshot({ paths: [{ path: '/fo' }], targets: [`http://127.0.0.1:${port}`, b.url] }), {
        maxRetries: 1,
      }),
    );
    const res = await send(gw.port, { method: 'POST', path: '/fo', body: 'payload' });
    expect(res.status).toBe(502);
    expect(b.hits).toBe(0);
  });

  it('answers the last failure when the retries are exhausted', async () => {
    const [p1, p2] = [await closedPort(), await closedPort()];
    const { gw } = await gateway(
      withFailover(
        snapshot({ paths: [{ path: '/fo' }], targets: [`http://127.0.0.1:${p1}`, `http://127.0.0.1:${p2}`] }),
        { maxRetries: 3, maxFailures: 100 },
      ),
    );
    const res = await send(gw.port, { path: '/fo' });
    expect(res.status).toBe(502);
  });

  it('opens the circuit after maxFailures, half-opens after openStateDuration, closes on a successful trial', async () => {
    const port = await closedPort();
    const b = await upstream('b');
    const { gw, api } = await gateway(
      withFailover(snapshot({ paths: [{ path: '/fo' }], targets: [`http://127.0.0.1:${port}`, b.url] }), {
        maxRetries: 1,
        maxFailures: 2,
        openStateDuration: 300,
      }),
    );
    // Round robin: requests 1 and 3 start on the closed endpoint, fail over to b.
    for (let i = 0; i < 3; i++) expect((await send(gw.port, { path: '/fo' })).status).toBe(200);
    expect(circuit(api, 'endpoint-0')).toEqual({ state: 'OPEN', failures: 2 });
    expect(api.healthStatus()[0]!.available).toBe(false);
    const hits = b.hits;
    for (let i = 0; i < 4; i++) expect((await send(gw.port, { path: '/fo' })).status).toBe(200);
    expect(b.hits - hits).toBe(4); // every one straight to b: no more failures counted on endpoint-0
    expect(circuit(api, 'endpoint-0').failures).toBe(2);

    await until(() => circuit(api, 'endpoint-0').state === 'HALF_OPEN', 2_000);
    // The trial fails: open again.
    for (let i = 0; i < 2; i++) expect((await send(gw.port, { path: '/fo' })).status).toBe(200);
    expect(circuit(api, 'endpoint-0').state).toBe('OPEN');

    const a = await upstream('a', port);
    await until(() => circuit(api, 'endpoint-0').state === 'HALF_OPEN', 2_000);
    const seen = new Set<string>();
    for (let i = 0; i < 2; i++) seen.add(nameOf((await send(gw.port, { path: '/fo' })).body));
    expect(seen.has('a')).toBe(true);
    expect(a.hits).toBe(1);
    expect(circuit(api, 'endpoint-0')).toEqual({ state: 'CLOSED', failures: 0 });
  });

  it('abandons a call slower than slowCallDuration and goes to the next endpoint', async () => {
    const slow = await upstream('slow');
    slow.mode = 'slow';
    const b = await upstream('b');
    const { gw, api } = await gateway(
      withFailover(snapshot({ paths: [{ path: '/fo' }], targets: [slow.url, b.url] }), {
        maxRetries: 1,
        slowCallDuration: 150,
        maxFailures: 5,
      }),
    );
    const started = performance.now();
    const res = await send(gw.port, { path: '/fo' });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(nameOf(res.body)).toBe('b');
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1_500);
    expect(slow.hits).toBe(1);
    expect(circuit(api, 'endpoint-0').failures).toBe(1);
  });

  it('answers 504 when the only endpoint is slow and no other is left', async () => {
    const slow = await upstream('slow');
    slow.mode = 'slow';
    const { gw } = await gateway(
      withFailover(snapshot({ paths: [{ path: '/fo' }], targets: [slow.url] }), { slowCallDuration: 100 }),
    );
    const res = await send(gw.port, { path: '/fo' });
    expect(res.status).toBe(504);
  });
});
