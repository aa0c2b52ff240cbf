import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIXTURE_UPSTREAM_HOST, loadScenario, rewriteTargets, SCENARIOS, withTrivialSteps } from './scenarios.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/gravitee/bench/', import.meta.url));

describe('rewriteTargets', () => {
  it('points the benchmark cluster upstream at the local one and leaves the rest untouched', () => {
    const definition = {
      endpoints: [
        { target: `http://${FIXTURE_UPSTREAM_HOST}:8000`, weight: 1 },
        { target: `http://${FIXTURE_UPSTREAM_HOST}:8000/v1?x=1` },
        { target: 'https://unused.com' },
      ],
    };
    const { definition: out, count } = rewriteTargets(definition, 'http://127.0.0.1:9000');
    expect(count).toBe(2);
    expect(out.endpoints.map((e) => e.target)).toEqual([
      'http://127.0.0.1:9000',
      'http://127.0.0.1:9000/v1?x=1',
      'https://unused.com',
    ]);
    expect(definition.endpoints[0]?.target).toContain(FIXTURE_UPSTREAM_HOST);
  });
});

describe('SCENARIOS', () => {
  it('loads every fixture (JSON and YAML) with its upstream rewritten', () => {
    for (const scenario of SCENARIOS) {
      const text = JSON.stringify(loadScenario(FIXTURES, scenario, 'http://127.0.0.1:9000'));
      expect(text, scenario.id).not.toContain(FIXTURE_UPSTREAM_HOST);
      expect(text, scenario.id).toContain(`"${scenario.contextPath}"`);
    }
  });

  it('runs the passthrough, flow-overhead, mock, API-key and json-transformation scenarios and explains every skipped one', () => {
    expect(SCENARIOS.filter((s) => !s.skip).map((s) => s.id)).toEqual([
      'passthrough-v4',
      'passthrough-v2',
      'five-steps-v4',
      'mock',
      'api-key-v4',
      'api-key-v2',
      'rate-limit-v2',
      'json-transformation-v2',
    ]);
    expect(SCENARIOS.filter((s) => s.id.startsWith('api-key')).every((s) => s.setup)).toBe(true);
  });
});

describe('withTrivialSteps', () => {
  it('adds one API flow of five transform-headers steps and keeps the rest of the definition', () => {
    const passthrough = SCENARIOS.find((s) => s.id === 'passthrough-v4')!;
    const plain = loadScenario(FIXTURES, passthrough, 'http://127.0.0.1:9000');
    const stepped = withTrivialSteps(plain) as { api: { flows: { request: { policy: string }[] }[] } };
    expect(stepped.api.flows).toHaveLength(1);
    expect(stepped.api.flows[0]?.request.map((s) => s.policy)).toEqual(Array(5).fill('transform-headers'));
    expect({ ...stepped.api, flows: undefined }).toEqual({ ...(plain.api as object), flows: undefined });
  });
});
