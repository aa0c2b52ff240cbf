import { definePolicy, type Flow, PolicyRegistry } from '@apim/core';
import {
  createPolicyRegistry,
  type InMemoryExchangeInit,
  InMemoryExecutionContext,
  RecordingLogger,
} from '@apim/policies';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { type CompileFlowsInput, compileFlows } from './compile-flows.js';

const trail = (exec: InMemoryExecutionContext) => (exec.attributes.get('trail') as string[] | undefined) ?? [];
const push = (exec: { attributes: Map<string, unknown> }, tag: string): void => {
  exec.attributes.set('trail', [...((exec.attributes.get('trail') as string[]) ?? []), tag]);
};

const record = definePolicy({
  id: 'record',
  version: '1',
  name: 'Record',
  description: 'test',
  category: 'others',
  phases: ['request', 'response'],
  schema: Type.Object({ tag: Type.String(), async: Type.Boolean({ default: false }) }),
  create: ({ tag, async }) => ({
    onRequest: (exec) => (async ? Promise.resolve().then(() => push(exec, tag)) : push(exec, tag)),
    onResponse: (exec) => push(exec, `${tag}<`),
  }),
});
const fail = definePolicy({
  id: 'fail',
  version: '1',
  name: 'Fail',
  description: 'test',
  category: 'others',
  phases: ['request'],
  schema: Type.Object({ async: Type.Boolean({ default: false }) }),
  create: ({ async }) => ({
    onRequest: () =>
      async
        ? Promise.reject(new Error('async boom'))
        : (() => {
            throw new Error('boom');
          })(),
  }),
});
const registry = createPolicyRegistry([record, fail]);

const step = (tag: string, extra: Record<string, unknown> = {}) => ({
  enabled: true,
  policy: 'record',
  configuration: { tag },
  ...extra,
});
const flow = (name: string, extra: Partial<Flow> = {}): Flow =>
  ({
    name,
    enabled: true,
    selectors: [],
    request: [step(name)],
    response: [step(name)],
    subscribe: [],
    publish: [],
    tags: [],
    ...extra,
  }) as Flow;
const http = (path: string, pathOperator = 'STARTS_WITH', methods: string[] = []) =>
  ({ type: 'HTTP', path, pathOperator, methods }) as Flow['selectors'][number];

async function run(input: Omit<CompileFlowsInput, 'registry'>, init: InMemoryExchangeInit = {}, planId?: string) {
  const flows = compileFlows({ registry, ...input });
  const exec = new InMemoryExecutionContext({ contextPath: '/api', ...init });
  const selection = flows.select(exec.request.method, exec.request.pathInfo, () => exec.el(), planId);
  await flows.runRequest(exec, selection);
  const requestTrail = trail(exec);
  await flows.runResponse(exec, selection);
  return { exec, selection, request: requestTrail, response: trail(exec).slice(requestTrail.length) };
}

describe('flow selection', () => {
  it('STARTS_WITH matches on segment boundaries, EQUALS the whole path', async () => {
    const apiFlows = [
      flow('prefix', { selectors: [http('/users')] }),
      flow('exact', { selectors: [http('/users', 'EQUALS')] }),
    ];
    expect((await run({ apiFlows }, { url: '/api/users/1' })).request).toEqual(['prefix']);
    expect((await run({ apiFlows }, { url: '/api/users/' })).request).toEqual(['prefix', 'exact']);
    expect((await run({ apiFlows }, { url: '/api/users-admin' })).request).toEqual([]);
  });

  it('filters by method (empty: all) and exposes path params', async () => {
    const apiFlows = [
      flow('get', { selectors: [http('/users/:id', 'EQUALS', ['GET'])] }),
      flow('all', { selectors: [http('/')] }),
    ];
    const get = await run({ apiFlows }, { url: '/api/users/a%20b' });
    expect(get.request).toEqual(['get', 'all']);
    expect(get.exec.request.pathParams).toEqual({ id: 'a b' });
    expect((await run({ apiFlows }, { method: 'POST', url: '/api/users/1' })).request).toEqual(['all']);
  });

  it('evaluates CONDITION selectors; an evaluation error means not selected, logged', async () => {
    const logger = new RecordingLogger();
    const apiFlows = [
      flow('header', { selectors: [{ type: 'CONDITION', condition: "{#request.headers['x-go'][0] == 'yes'}" }] }),
      flow('broken', { selectors: [{ type: 'CONDITION', condition: "{#request.headers['x-go'][5] == 'yes'}" }] }),
    ];
    expect((await run({ apiFlows, logger }, { headers: { 'x-go': 'yes' } })).request).toEqual(['header']);
    expect(logger.records.map((r) => r.msg)).toContain('flow condition failed: the flow is not selected');
    expect((await run({ apiFlows, logger }, { headers: { 'x-go': 'no' } })).request).toEqual([]);
  });

  it('skips disabled flows and disabled steps, and steps whose condition is false', async () => {
    const apiFlows = [
      flow('off', { enabled: false }),
      flow('on', {
        request: [step('a', { enabled: false }), step('b', { condition: "{#request.method == 'POST'}" }), step('c')],
      }),
    ];
    expect((await run({ apiFlows })).request).toEqual(['c']);
    expect((await run({ apiFlows }, { method: 'POST' })).request).toEqual(['b', 'c']);
  });
});

describe('flow order and modes', () => {
  const input = {
    platformFlows: [flow('platform')],
    planFlows: { p1: [flow('plan')], p2: [flow('other-plan')] },
    apiFlows: [flow('api')],
  };

  it('runs platform, plan, api on the request and plan, api, platform on the response', async () => {
    const result = await run(input, {}, 'p1');
    expect(result.request).toEqual(['platform', 'plan', 'api']);
    expect(result.response).toEqual(['plan<', 'api<', 'platform<']);
  });

  it('BEST_MATCH keeps the most specific API flow (Gravitee scoring)', async () => {
    const apiFlows = [
      flow('root', { selectors: [http('/')] }),
      flow('static', { selectors: [http('/myPath/staticId')] }),
      flow('param-first', { selectors: [http('/:id/staticId')] }),
      flow('param-last', { selectors: [http('/myPath/:id')] }),
    ];
    const best = (url: string) => run({ apiFlows, flowExecution: { mode: 'BEST_MATCH' } }, { url });
    expect((await best('/api/myPath/staticId')).request).toEqual(['static']);
    expect((await best('/api/myPath/553')).request).toEqual(['param-last']);
    expect((await best('/api/random/staticId')).request).toEqual(['param-first']);
    expect((await best('/api/other')).request).toEqual(['root']);
    expect((await run({ apiFlows }, { url: '/api/myPath/553' })).request).toEqual(['root', 'param-last']);
  });

  it('matchRequired: 404 GATEWAY_FLOW_NOT_FOUND after platform and plan flows when no API flow matches', async () => {
    const result = await run(
      { ...input, apiFlows: [flow('api', { selectors: [http('/only')] })], flowExecution: { matchRequired: true } },
      { url: '/api/else' },
      'p1',
    );
    expect(result.request).toEqual(['platform', 'plan']);
    expect(result.exec.interruption).toMatchObject({ status: 404, key: 'GATEWAY_FLOW_NOT_FOUND' });
    expect(result.response).toEqual(['platform<']);
  });
});

describe('chain runner', () => {
  it('stays synchronous when every policy is', () => {
    const flows = compileFlows({ registry, apiFlows: [flow('a'), flow('b')] });
    const exec = new InMemoryExecutionContext();
    const selection = flows.select('GET', '/', exec.el());
    expect(flows.runRequest(exec, selection)).toBeUndefined();
    expect(trail(exec)).toEqual(['a', 'b']);
  });

  it('continues after an async step, in order', async () => {
    const apiFlows = [
      flow('f', { request: [step('a'), step('b', { configuration: { tag: 'b', async: true } }), step('c')] }),
      flow('g'),
    ];
    expect((await run({ apiFlows })).request).toEqual(['a', 'b', 'c', 'g']);
  });

  it('stops at an interruption; response plan/api flows are skipped, platform ones still run', async () => {
    const result = await run({
      platformFlows: [flow('platform')],
      apiFlows: [
        flow('api', {
          request: [
            step('a'),
            { enabled: true, policy: 'resource-filtering', configuration: { blacklist: [{ pattern: '/**' }] } },
            step('never'),
          ],
        }),
      ],
    });
    expect(result.request).toEqual(['platform', 'a']);
    expect(result.exec.interruption).toMatchObject({ status: 403, key: 'RESOURCE_FILTERING_FORBIDDEN' });
    expect(result.response).toEqual(['platform<']);
  });

  it.each([false, true])(
    'turns an exception into 500 GATEWAY_INTERNAL_ERROR, logged with the policy (async: %s)',
    async (async) => {
      const logger = new RecordingLogger();
      const apiFlows = [
        flow('f', { request: [{ enabled: true, policy: 'fail', configuration: { async } }, step('never')] }),
      ];
      const result = await run({ apiFlows }, { logger });
      expect(result.request).toEqual([]);
      expect(result.exec.interruption).toMatchObject({ status: 500, key: 'GATEWAY_INTERNAL_ERROR' });
      expect(logger.records).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'policy [fail] failed',
          obj: expect.objectContaining({ policy: 'fail', step: '/flows/0/request/0' }),
        }),
      );
    },
  );

  it('reports whether the selected flows need a body', () => {
    const flows = compileFlows({
      registry,
      apiFlows: [flow('f', { request: [step('a', { condition: "{#request.content == 'x'}" })] })],
    });
    const selection = flows.select('GET', '/', {});
    expect(selection.needsRequestBody).toBe(true);
    expect(selection.needsResponseBody).toBe(false);
  });
});

describe('registry', () => {
  it('is what compileFlows consults', () => {
    expect(() => compileFlows({ registry: new PolicyRegistry(), apiFlows: [flow('x')] })).toThrow(
      'unknown policy [record]',
    );
  });
});
