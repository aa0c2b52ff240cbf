import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ManagementClient } from './management-client.js';

/** Host name the Gravitee benchmark definitions point their endpoints at. */
export const FIXTURE_UPSTREAM_HOST = 'upstream.dummy-upstream-api-service.svc.cluster.local';

/** What a setup hook gets once the API is imported, deployed and started. */
export interface SetupContext {
  client: ManagementClient;
  apiId: string;
  /** The import response (an ApiV4). */
  api: Record<string, unknown>;
}

/** Runs before the measure (create an application, a subscription, a key...) and returns headers for every request. */
export type SetupHook = (ctx: SetupContext) => Promise<Record<string, string>>;

/** One scenario of Gravitee's published benchmark, run on this project's gateway. */
export interface Scenario {
  id: string;
  /** File in ../shared/fixtures/gravitee/bench/. */
  file: string;
  /** The context path the definition listens on. */
  contextPath: string;
  /** Text the response body must contain before the measure starts (default: the upstream's body). */
  expectBody?: string;
  /** Set while the scenario cannot run yet; it is listed with this reason. Delete the line to enable it. */
  skip?: string;
  /** Steps after deployment, e.g. API key subscription. */
  setup?: SetupHook;
  /** Also measure latency at a fixed rate. */
  openLoop?: boolean;
  /** Changes the definition after loading (a variant of a fixture, e.g. with extra flow steps). */
  transform?: (definition: Record<string, unknown>) => Record<string, unknown>;
}

/** Number of steps in the flow-overhead scenario. */
export const TRIVIAL_STEPS = 5;

/**
 * The v4 passthrough definition with an API flow of five trivial steps (each adds one request header), to measure
 * what running a flow costs against the same definition without one.
 */
export function withTrivialSteps(definition: Record<string, unknown>): Record<string, unknown> {
  const api = definition.api as Record<string, unknown>;
  const steps = Array.from({ length: TRIVIAL_STEPS }, (_, i) => ({
    name: `step ${i + 1}`,
    policy: 'transform-headers',
    configuration: { addHeaders: [{ name: `X-Bench-Step-${i + 1}`, value: 'on' }] },
  }));
  const flow = { name: 'five trivial steps', selectors: [{ type: 'HTTP', path: '/', pathOperator: 'STARTS_WITH' }] };
  return { ...definition, api: { ...api, flows: [{ ...flow, request: steps, response: [] }] } };
}

/**
 * Subscribes an application to the API's API-key plan and returns the `X-Gravitee-Api-Key` header (Gravitee's flow:
 * create an application, subscribe it to the plan, read the generated key).
 */
export const apiKeySetup: SetupHook = async ({ client, apiId }) => {
  const plans = await client.json<{ data: { id: string; security?: { type?: string } }[] }>(
    'GET',
    `/management/v2/environments/DEFAULT/apis/${apiId}/plans`,
  );
  const plan = plans.data.find((p) => p.security?.type === 'API_KEY');
  if (!plan) throw new Error('the API has no API_KEY plan');
  const app = await client.json<{ id: string }>(
    'POST',
    '/management/organizations/DEFAULT/environments/DEFAULT/applications',
    { name: `bench-${Date.now()}`, description: 'benchmark client', settings: { app: {} } },
  );
  // The clear key is shown once, in the answer that created it (listings show a mask).
  const subscription = await client.json<{ id: string; apiKeys?: { key: string }[] }>(
    'POST',
    `/management/v2/environments/DEFAULT/apis/${apiId}/subscriptions`,
    { applicationId: app.id, planId: plan.id },
  );
  const key = subscription.apiKeys?.[0]?.key;
  if (!key) throw new Error('the subscription answer has no API key');
  return { 'X-Gravitee-Api-Key': key };
};

/** Every Gravitee benchmark scenario, in the order of the published benchmark. */
export const SCENARIOS: Scenario[] = [
  { id: 'passthrough-v4', file: '0-passthrough-v4.json', contextPath: '/passthrough', openLoop: true },
  { id: 'passthrough-v2', file: '0-passthrough-v2.json', contextPath: '/passthrough' },
  { id: 'five-steps-v4', file: '0-passthrough-v4.json', contextPath: '/passthrough', transform: withTrivialSteps },
  { id: 'mock', file: '1-mock.yaml', contextPath: '/mock', expectBody: 'Hello' },
  { id: 'api-key-v4', file: '2-api-key-v4.json', contextPath: '/apikey', setup: apiKeySetup },
  { id: 'api-key-v2', file: '2-api-key-v2.json', contextPath: '/apikey', setup: apiKeySetup },
  { id: 'rate-limit-v2', file: '3-rate-limit-v2.json', contextPath: '/ratelimit' },
  {
    id: 'json-transformation-v2',
    file: '5-json-transformation-v2.json',
    contextPath: '/json-transformation',
    expectBody: 'World',
  },
];

/**
 * Replaces the origin of every endpoint `target` that points at the benchmark cluster's upstream with `upstreamUrl`,
 * keeping the path; everything else in the definition is left as it is. Returns a copy and the number of rewrites.
 *
 * @example rewriteTargets(def, 'http://127.0.0.1:8000').count // 1
 */
export function rewriteTargets<T>(definition: T, upstreamUrl: string): { definition: T; count: number } {
  let count = 0;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === 'target' && typeof child === 'string' && URL.canParse(child)) {
        const url = new URL(child);
        if (url.hostname === FIXTURE_UPSTREAM_HOST) {
          count++;
          out[key] = `${upstreamUrl}${url.pathname === '/' ? '' : url.pathname}${url.search}`;
          continue;
        }
      }
      out[key] = walk(child);
    }
    return out;
  };
  return { definition: walk(definition) as T, count };
}

/** Reads a scenario's definition (JSON or YAML) and points it at the local upstream. */
export function loadScenario(fixturesDir: string, scenario: Scenario, upstreamUrl: string): Record<string, unknown> {
  const text = readFileSync(join(fixturesDir, scenario.file), 'utf8');
  const parsed = scenario.file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  const definition = rewriteTargets(parsed as Record<string, unknown>, upstreamUrl).definition;
  return scenario.transform ? scenario.transform(definition) : definition;
}
