import { readFileSync } from 'node:fs';
import { type Flow, importDefinition, ValidationError } from '@apim/core';
import { createPolicyRegistry, InMemoryExecutionContext } from '@apim/policies';
import { fixturePath } from '@apim/testkit';
import { describe, expect, it } from 'vitest';
import { parseShardingTags } from '../sharding-tags.js';
import { compileFlows } from './compile-flows.js';

const registry = createPolicyRegistry();
const flow = (extra: Partial<Flow>): Flow =>
  ({ enabled: true, selectors: [], request: [], response: [], subscribe: [], publish: [], tags: [], ...extra }) as Flow;

function errorsOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('compileFlows deploy-time errors', () => {
  it('collects every problem with its pointer, policy and position, as one DEFINITION_INVALID error', () => {
    const error = errorsOf(() =>
      compileFlows({
        registry,
        apiFlows: [
          flow({
            name: 'main',
            selectors: [{ type: 'CONDITION', condition: "{#request.headers['x'}" }],
            request: [
              { enabled: true, policy: 'no-such-policy' },
              { enabled: true, policy: 'mock', configuration: { status: true } },
              { enabled: true, policy: 'mock', condition: '{#request.method ==}' },
              {
                enabled: true,
                policy: 'transform-headers',
                configuration: { addHeaders: [{ name: 'x', value: '{#a.}' }] },
              },
            ],
            response: [{ enabled: true, policy: 'mock' }],
          }),
        ],
        planFlows: {
          'plan-1': [flow({ request: [{ enabled: true, policy: 'latency', configuration: { time: -1 } }] })],
        },
      }),
    );
    expect(error.code).toBe('DEFINITION_INVALID');
    expect(error.status).toBe(400);
    expect(error.details.map((d) => d.path)).toEqual([
      '/plans/plan-1/flows/0/request/0/configuration/time',
      '/flows/0/selectors/0/condition',
      '/flows/0/request/0/policy',
      '/flows/0/request/1/configuration/status',
      '/flows/0/request/1/configuration/status',
      '/flows/0/request/1/configuration/status',
      '/flows/0/request/2/condition',
      '/flows/0/request/3/configuration/addHeaders/0/value',
      '/flows/0/response/0/policy',
    ]);
    const messages = Object.fromEntries(error.details.map((d) => [d.path, d.message]));
    expect(messages['/plans/plan-1/flows/0/request/0/configuration/time']).toBe(
      'plan [plan-1] flow 0 request step 0 (latency): must be >= 0',
    );
    expect(messages['/flows/0/request/0/policy']).toBe(
      'api flow 0 "main" request step 0 (no-such-policy): unknown policy [no-such-policy]',
    );
    expect(messages['/flows/0/response/0/policy']).toBe(
      'api flow 0 "main" response step 0 (mock): the policy does not run in the response phase',
    );
    expect(messages['/flows/0/selectors/0/condition']).toBe(
      `api flow 0 "main" condition selector: invalid EL at position 21: Found closing '}' but expected ']'`,
    );
    expect(messages['/flows/0/request/2/condition']).toMatch(
      /^api flow 0 "main" request step 2 \(mock\) condition: invalid EL at position \d+: /,
    );
    expect(messages['/flows/0/request/3/configuration/addHeaders/0/value']).toMatch(
      /^api flow 0 "main" request step 3 \(transform-headers\): invalid EL at position \d+: /,
    );
    expect(error.message).toContain('The flows are invalid: /plans/plan-1/flows/0/request/0/configuration/time: ');
  });

  it('ignores disabled flows and disabled steps entirely', () => {
    expect(() =>
      compileFlows({
        registry,
        apiFlows: [
          flow({ enabled: false, request: [{ enabled: true, policy: 'nope' }] }),
          flow({ request: [{ enabled: false, policy: 'nope' }] }),
        ],
      }),
    ).not.toThrow();
  });

  it('keeps tagged flows only on gateways whose sharding tags match them; untagged flows run everywhere', () => {
    const apiFlows = [
      flow({ name: 'everywhere', selectors: [{ type: 'HTTP', path: '/', pathOperator: 'STARTS_WITH', methods: [] }] }),
      flow({
        name: 'internal',
        tags: ['internal'],
        selectors: [{ type: 'HTTP', path: '/', pathOperator: 'STARTS_WITH', methods: [] }],
      }),
      flow({
        name: 'dmz',
        tags: ['dmz'],
        selectors: [{ type: 'HTTP', path: '/', pathOperator: 'STARTS_WITH', methods: [] }],
      }),
    ];
    const selected = (expression?: string) => {
      const shardingTags = expression === undefined ? undefined : parseShardingTags(expression);
      const flows = compileFlows({ registry, apiFlows, ...(shardingTags ? { shardingTags } : {}) });
      return flows.select('GET', '/', {}, undefined).request.map((f) => f.name);
    };
    expect(selected()).toEqual(['everywhere', 'internal', 'dmz']);
    expect(selected('')).toEqual(['everywhere', 'internal', 'dmz']);
    expect(selected('internal')).toEqual(['everywhere', 'internal']);
    expect(selected('!dmz')).toEqual(['everywhere', 'internal']);
    expect(selected('other')).toEqual(['everywhere']);
  });

  it('uses the pointer prefixes it is given', () => {
    const error = errorsOf(() =>
      compileFlows({
        registry,
        platformFlows: [flow({ request: [{ enabled: true, policy: 'nope' }] })],
        pointers: { platform: '/organization/flows' },
      }),
    );
    expect(error.details[0]!.path).toBe('/organization/flows/0/request/0/policy');
  });
});

describe('imported Gravitee definitions', () => {
  it('compiles the v2 mock bench fixture and answers Hello from its plan flow', () => {
    const { api, plans } = importDefinition(readFileSync(fixturePath('gravitee/bench/1-mock.yaml'), 'utf8'));
    const plan = plans[0]!;
    const flows = compileFlows({
      registry,
      apiFlows: api.flows,
      planFlows: Object.fromEntries(plans.map((p) => [p.id!, p.flows ?? []])),
      flowExecution: api.flowExecution,
    });
    const exec = new InMemoryExecutionContext({ url: '/mock/anything', contextPath: '/mock' });
    const selection = flows.select('GET', exec.request.pathInfo, () => exec.el(), plan.id);
    expect(flows.runRequest(exec, selection)).toBeUndefined();
    expect(exec.endpointSkipped).toBe(true);
    expect(exec.response.status).toBe(200);
    expect(exec.response.headers.getFirst('content-type')).toBe('text/plain');
    expect(exec.response.currentBody.toString().trim()).toBe('Hello');
  });

  it.each(['0-passthrough-v2.json', '0-passthrough-v4.json', '2-api-key-v4.json', 'v4-proxy-export.json'])(
    'compiles the flows of %s',
    (file) => {
      const path = file.startsWith('v4-') ? `gravitee/${file}` : `gravitee/bench/${file}`;
      const { api, plans } = importDefinition(readFileSync(fixturePath(path), 'utf8'));
      const flows = compileFlows({
        registry,
        apiFlows: api.flows,
        planFlows: Object.fromEntries(plans.map((p) => [p.id!, p.flows ?? []])),
        flowExecution: api.flowExecution,
      });
      expect(flows.select('GET', '/', {}, plans[0]?.id).flowNotFound).toBe(false);
    },
  );
});
