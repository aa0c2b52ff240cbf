import { readFileSync } from 'node:fs';
import { type ConfigStore, importDefinition, type JsonObject, ValidationError } from '@apim/core';
import { fixturePath, startEchoUpstream } from '@apim/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type CompletedRequest, type RunningGateway, startGateway } from '../src/index.js';
import { flow, flowSnapshot, step } from './flows-helpers.js';
import { runtime, send } from './helpers.js';
import { memoryStore, publish } from './store-helpers.js';
import { capturingLogger, until } from './sync-helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function gatewayOn(store: ConfigStore, completed: CompletedRequest[] = []) {
  const { logger, lines } = capturingLogger();
  const gateway: RunningGateway = await startGateway({
    store,
    port: 0,
    host: '127.0.0.1',
    syncIntervalMs: 50,
    logger,
    observer: { requestCompleted: (request) => completed.push(request) },
  });
  cleanups.push(() => gateway.close());
  return { gateway, lines };
}

describe('flows deployed through the store', () => {
  it('serves the imported Gravitee mock API (1-mock.yaml) without calling an upstream', async () => {
    const store = await memoryStore();
    cleanups.push(() => store.close());
    const { api, plans } = importDefinition(readFileSync(fixturePath('gravitee/bench/1-mock.yaml'), 'utf8'));
    await publish(store, 'mock-api', { api, plans } as unknown as JsonObject);
    const completed: CompletedRequest[] = [];
    const { gateway } = await gatewayOn(store, completed);
    expect(gateway.registry.get('mock-api')?.flows).toBeDefined();
    const res = await send(gateway.port, { path: '/mock' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.body.toString().trim()).toBe('Hello');
    expect(res.headers['x-gravitee-request-id']).toBeDefined();
    await until(() => completed.length === 1);
    expect(completed[0]).toMatchObject({ apiId: 'mock-api', planId: plans[0]!.id, status: 200, endpoint: undefined });
    expect(completed[0]!.endpointDurationMs).toBe(-1);
  });

  it('reports the status of an interruption with its key to the observer', async () => {
    const store = await memoryStore();
    cleanups.push(() => store.close());
    const flows = [flow({ request: [step('resource-filtering', { blacklist: [{ pattern: '/**' }] })] })];
    await publish(store, 'flows-api', flowSnapshot({ target: 'http://127.0.0.1:9', flows }));
    const completed: CompletedRequest[] = [];
    const { gateway } = await gatewayOn(store, completed);
    expect((await send(gateway.port, { path: '/api/x' })).status).toBe(403);
    await until(() => completed.length === 1);
    expect(completed[0]).toMatchObject({ status: 403, errorKey: 'RESOURCE_FILTERING_FORBIDDEN', planId: 'plan-0' });
  });

  it.each([
    ['an unknown policy', step('no-such-policy'), '/flows/0/request/0/policy'],
    ['an invalid configuration', step('latency', { time: -1 }), '/flows/0/request/0/configuration/time'],
    [
      'an EL syntax error',
      step('transform-headers', { addHeaders: [{ name: 'X-A', value: "{#request.headers['x'}" }] }),
      '/flows/0/request/0/configuration/addHeaders/0/value',
    ],
  ])('rejects a deployment with %s and keeps the previous one serving', async (_what, bad, pointer) => {
    const store = await memoryStore();
    cleanups.push(() => store.close());
    const up = await startEchoUpstream();
    cleanups.push(() => up.close());
    const good = [flow({ request: [step('transform-headers', { addHeaders: [{ name: 'X-Rev', value: '1' }] })] })];
    await publish(store, 'flows-api', flowSnapshot({ target: up.url, flows: good }));
    const { gateway, lines } = await gatewayOn(store);
    expect((await send(gateway.port, { path: '/api/' })).status).toBe(200);
    await publish(store, 'flows-api', flowSnapshot({ target: up.url, flows: [flow({ request: [bad] })] }));
    await until(() => lines.some((line) => line.msg === 'deployment rejected'), 5_000, 'rejection logged');
    const rejected = lines.find((line) => line.msg === 'deployment rejected') as { err?: { message?: string } };
    expect(rejected.err?.message).toContain(pointer);
    expect(gateway.registry.get('flows-api')?.revision).toBe(1);
    expect((await send(gateway.port, { path: '/api/' })).status).toBe(200);
    expect(up.requests.at(-1)!.headers['x-rev']).toBe('1');
  });
});

describe('ApiRuntime flow compilation', () => {
  it('throws DEFINITION_INVALID with JSON pointers, plan flows included', () => {
    const definition = flowSnapshot({
      target: 'http://127.0.0.1:9',
      flows: [flow({ request: [step('mock', { status: true })] })],
      planFlows: [flow({ condition: '{#request.method ==}' })],
    });
    let error: unknown;
    try {
      runtime(definition);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).details.map((d) => d.path);
    expect(paths).toContain('/flows/0/request/0/configuration/status');
    expect(paths).toContain('/plans/plan-0/flows/0/selectors/0/condition');
  });

  it('leaves `flows` undefined for an API without flows (no per-request cost)', () => {
    expect(runtime(flowSnapshot({ target: 'http://127.0.0.1:9' })).flows).toBeUndefined();
  });
});
