import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importDefinition } from './import-definition.js';

/** The shared fixtures folder is a sibling of the repository root. */
const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../../../shared/fixtures/gravitee/${name}`, import.meta.url)), 'utf8');

const UPSTREAM = 'http://upstream.dummy-upstream-api-service.svc.cluster.local:8000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The http options the four v2 benchmark files share, carried over field by field. */
const BENCH_V2_HTTP = {
  connectTimeout: 5000,
  idleTimeout: 60000,
  keepAliveTimeout: 30000,
  keepAlive: true,
  readTimeout: 10000,
  pipelining: true,
  maxConcurrentConnections: 300,
  useCompression: true,
  followRedirects: false,
};

describe('importDefinition: v4-proxy-export.json', () => {
  const imported = importDefinition(fixture('v4-proxy-export.json'));
  const { api } = imported;

  it('detects a v4 export and keeps the ids', () => {
    expect(imported.sourceFormat).toBe('v4-export');
    expect(api).toMatchObject({
      id: 'api-id',
      name: 'My Api',
      apiVersion: '1.0.0',
      definitionVersion: 'V4',
      type: 'PROXY',
    });
  });

  it('reads the listener, endpoint group and health check', () => {
    expect(api.listeners).toEqual([
      {
        type: 'HTTP',
        paths: [{ path: '/proxy-api', overrideAccess: true }],
        entrypoints: [{ type: 'http-proxy', qos: 'AUTO', configuration: {} }],
      },
    ]);
    const group = api.endpointGroups[0]!;
    expect(group.loadBalancer.type).toBe('ROUND_ROBIN');
    expect(group.sharedConfiguration?.http).toMatchObject({
      connectTimeout: 3000,
      maxConcurrentConnections: 20,
      version: 'HTTP_1_1',
    });
    expect(group.sharedConfiguration?.ssl).toEqual({
      keyStore: { type: '' },
      hostnameVerifier: true,
      trustStore: { type: '' },
      trustAll: false,
    });
    expect(group.endpoints[0]!.configuration).toEqual({ target: 'https://api.gravitee.io/echo' });
    expect(group.services?.healthCheck).toMatchObject({
      enabled: true,
      type: 'http-health-check',
      configuration: { schedule: '*/1 * * * * *', assertion: '{#response.status == 200}', successThreshold: 2 },
    });
  });

  it('reads analytics, properties, response templates and metadata fields', () => {
    expect(api.analytics?.logging?.condition).toBe('{#request.timestamp <= 1709737299215l}');
    expect(api.analytics?.logging?.content?.payload).toBe(true);
    expect(api.properties).toEqual([{ key: 'prop-key', value: 'prop-value', encrypted: false, dynamic: false }]);
    expect(api.responseTemplates).toEqual({ DEFAULT: { '*.*': { propagateErrorKeyToLogs: false, status: 200 } } });
    expect(api).toMatchObject({
      state: 'STARTED',
      visibility: 'PUBLIC',
      lifecycleState: 'PUBLISHED',
      groups: ['group1'],
    });
    expect(api.flows[0]!.selectors).toEqual([{ type: 'HTTP', path: '/', pathOperator: 'STARTS_WITH', methods: [] }]);
  });

  it('reads the plan, page, member, metadata and media', () => {
    expect(imported.plans).toHaveLength(1);
    expect(imported.plans[0]).toMatchObject({
      id: 'plan-id',
      apiId: 'api-id',
      status: 'PUBLISHED',
      security: { type: 'KEY_LESS' },
    });
    expect(imported.pages[0]).toMatchObject({ id: 'page-id', type: 'SWAGGER', name: 'openapi.json' });
    expect(imported.members[0]).toMatchObject({ id: 'member-id', displayName: 'John Doe' });
    expect(imported.metadata[0]).toMatchObject({ key: 'email-support', format: 'MAIL' });
    expect(imported.apiPicture).toBe('data:image/png;base64,picture');
    expect(imported.apiBackground).toBe('data:image/png;base64,background');
    expect(imported.apiMedia).toHaveLength(1);
  });
});

describe('importDefinition: v4 benchmark exports', () => {
  it.each([
    ['bench/0-passthrough-v4.json', '/passthrough', 'KEY_LESS'],
    ['bench/2-api-key-v4.json', '/apikey', 'API_KEY'],
  ])('%s', (file, path, security) => {
    const imported = importDefinition(fixture(file));
    expect(imported.sourceFormat).toBe('v4-export');
    expect(imported.api.id).toMatch(UUID);
    expect(imported.api.listeners[0]!.paths).toEqual([{ path }]);
    expect(imported.api.endpointGroups[0]!.endpoints[0]!.configuration).toEqual({ target: UPSTREAM });
    expect(imported.api.endpointGroups[0]!.sharedConfiguration?.http?.maxConcurrentConnections).toBe(1000);
    expect(imported.api.analytics).toEqual({ enabled: false });
    expect(imported.plans).toHaveLength(1);
    expect(imported.plans[0]!.security).toEqual({ type: security, configuration: {} });
    expect(imported.plans[0]!.id).toMatch(UUID);
    expect(imported.plans[0]!.apiId).toBe(imported.api.id);
  });
});

describe('importDefinition: v2 benchmark definitions', () => {
  it.each([
    ['bench/0-passthrough-v2.json', 'Passthrough', '/passthrough', 'KEY_LESS'],
    ['bench/2-api-key-v2.json', 'API Key', '/apikey', 'API_KEY'],
    ['bench/3-rate-limit-v2.json', 'Rate Limit', '/ratelimit', 'KEY_LESS'],
    ['bench/5-json-transformation-v2.json', 'JSON Transformation', '/json-transformation', 'KEY_LESS'],
  ])('%s converts proxy, group and plan', (file, name, path, security) => {
    const { api, plans, sourceFormat } = importDefinition(fixture(file));
    expect(sourceFormat).toBe('v2-definition');
    expect(api).toMatchObject({
      name,
      apiVersion: '1.0',
      definitionVersion: 'V4',
      type: 'PROXY',
      visibility: 'PRIVATE',
    });
    expect(api.id).toMatch(UUID);
    expect(api.flowExecution).toEqual({ mode: 'DEFAULT', matchRequired: false });
    expect(api.listeners).toEqual([{ type: 'HTTP', paths: [{ path }], entrypoints: [{ type: 'http-proxy' }] }]);
    expect(api.endpointGroups).toEqual([
      {
        name: 'default-group',
        type: 'http-proxy',
        loadBalancer: { type: 'ROUND_ROBIN' },
        sharedConfiguration: { http: BENCH_V2_HTTP },
        endpoints: [
          {
            name: 'default',
            type: 'http-proxy',
            weight: 1,
            secondary: false,
            inheritConfiguration: true,
            configuration: { target: UPSTREAM },
          },
        ],
      },
    ]);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({
      security: { type: security, configuration: {} },
      status: 'PUBLISHED',
      validation: 'AUTO',
      order: 0,
      type: 'API',
      commentRequired: false,
      apiId: api.id,
    });
  });

  it('3-rate-limit-v2.json: the rate-limit step runs on the request of the plan flow', () => {
    const { plans } = importDefinition(fixture('bench/3-rate-limit-v2.json'));
    const flow = plans[0]!.flows[0]!;
    expect(flow.selectors).toEqual([{ type: 'HTTP', path: '/', pathOperator: 'STARTS_WITH', methods: [] }]);
    expect(flow.response).toEqual([]);
    expect(flow.request).toEqual([
      {
        name: 'Rate Limit',
        description: 'Rate Limit Policy',
        enabled: true,
        policy: 'rate-limit',
        configuration: {
          async: true,
          addHeaders: false,
          rate: { key: '', useKeyOnly: false, periodTime: 15, periodTimeUnit: 'MINUTES', limit: 1000000000 },
        },
      },
    ]);
  });

  it('5-json-transformation-v2.json: the json-to-json step runs on the response', () => {
    const { plans } = importDefinition(fixture('bench/5-json-transformation-v2.json'));
    const flow = plans[0]!.flows[0]!;
    expect(flow.request).toEqual([]);
    expect(flow.response).toHaveLength(1);
    const step = flow.response[0]!;
    expect(step.policy).toBe('json-to-json');
    expect(step.configuration?.scope).toBe('RESPONSE');
    expect(JSON.parse(String(step.configuration?.specification))).toEqual([
      { operation: 'default', spec: { Hello: 'World' } },
    ]);
  });
});

describe('importDefinition: 1-mock.yaml (Kubernetes ApiDefinition)', () => {
  const { api, plans, sourceFormat } = importDefinition(fixture('bench/1-mock.yaml'));

  it('converts the v2 spec and ignores the operator-only fields', () => {
    expect(sourceFormat).toBe('kubernetes');
    expect(api).toMatchObject({ name: 'Mock', apiVersion: '1.0', description: 'Mock API' });
    expect(api).not.toHaveProperty('local');
    expect(api.listeners[0]!.paths).toEqual([{ path: '/mock' }]);
    expect(api.endpointGroups[0]!.name).toBe('default-group');
    expect(api.endpointGroups[0]!.endpoints[0]).toMatchObject({
      name: 'Default',
      configuration: { target: 'https://unused.com' },
    });
  });

  it('puts the mock step on the request of the plan flow', () => {
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ name: 'Open', status: 'PUBLISHED', security: { type: 'KEY_LESS' } });
    const flow = plans[0]!.flows[0]!;
    expect(flow.name).toBe('Mock all requests');
    expect(flow.selectors).toEqual([{ type: 'HTTP', path: '/', pathOperator: 'STARTS_WITH', methods: [] }]);
    expect(flow.request).toEqual([
      {
        name: 'Mock',
        description: 'Mock',
        enabled: true,
        policy: 'mock',
        configuration: { status: '200', headers: [{ name: 'Content-Type', value: 'text/plain' }], content: 'Hello' },
      },
    ]);
  });
});
