import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import type { ApiDefinition } from './api.js';
import {
  assertValidApiDefinition,
  validateApiDefinition,
  validateApiExport,
  validatePlanDefinition,
} from './validate.js';

/** A minimal valid PROXY API; each test breaks one thing in a fresh copy. */
// biome-ignore lint/suspicious/noExplicitAny: each test mutates a fresh copy at any depth.
function validApi(): Record<string, any> {
  return {
    id: 'api-1',
    name: 'Echo',
    apiVersion: '1.0',
    definitionVersion: 'V4',
    type: 'PROXY',
    listeners: [{ type: 'HTTP', paths: [{ path: '/echo' }], entrypoints: [{ type: 'http-proxy' }] }],
    endpointGroups: [
      {
        name: 'default-group',
        type: 'http-proxy',
        endpoints: [{ name: 'default', type: 'http-proxy', configuration: { target: 'https://backend.test/echo' } }],
      },
    ],
    flows: [
      {
        name: 'all',
        selectors: [{ type: 'HTTP', path: '/', pathOperator: 'STARTS_WITH', methods: ['GET'] }],
        request: [{ name: 'limit', policy: 'rate-limit', configuration: { rate: { limit: 10 } } }],
      },
    ],
  };
}

function errorsOf(input: unknown) {
  const result = validateApiDefinition(input);
  if (result.ok) throw new Error('expected the definition to be invalid');
  return result.errors;
}

const paths = (input: unknown) => errorsOf(input).map((e) => e.path);

describe('validateApiDefinition', () => {
  it('accepts a minimal definition and fills the defaults', () => {
    const result = validateApiDefinition(validApi());
    expect(result.ok).toBe(true);
    const api = (result as { value: ApiDefinition }).value;
    expect(api.flowExecution).toEqual({ mode: 'DEFAULT', matchRequired: false });
    expect(api.tags).toEqual([]);
    expect(api.properties).toEqual([]);
    expect(api.resources).toEqual([]);
    expect(api.endpointGroups[0]!.loadBalancer).toEqual({ type: 'ROUND_ROBIN' });
    expect(api.endpointGroups[0]!.endpoints[0]).toMatchObject({
      weight: 1,
      secondary: false,
      inheritConfiguration: true,
    });
    expect(api.flows[0]).toMatchObject({ enabled: true, response: [], subscribe: [], publish: [], tags: [] });
    expect(api.flows[0]!.request[0]!.enabled).toBe(true);
  });

  it('never modifies the caller object', () => {
    const input = validApi();
    const before = structuredClone(input);
    validateApiDefinition(input);
    expect(input).toEqual(before);
  });

  it('keeps properties it does not declare', () => {
    const input = { ...validApi(), someGraviteeField: { a: 1 } };
    const result = validateApiDefinition(input);
    expect(result.ok && (result.value as Record<string, unknown>).someGraviteeField).toEqual({ a: 1 });
  });

  it('reports missing listeners at /listeners', () => {
    const input = validApi();
    delete input.listeners;
    expect(errorsOf(input)).toEqual([{ path: '/listeners', message: 'is required' }]);
  });

  it('reports an empty listener list at /listeners', () => {
    expect(errorsOf({ ...validApi(), listeners: [] })).toEqual([
      { path: '/listeners', message: 'at least one listener is required' },
    ]);
  });

  it("reports a context path without a leading '/'", () => {
    const input = validApi();
    input.listeners[0].paths[0].path = 'echo';
    expect(paths(input)).toEqual(['/listeners/0/paths/0/path']);
  });

  it('reports a duplicate context path (trailing slash ignored) at the second occurrence, across listeners', () => {
    const input = validApi();
    input.listeners.push({
      type: 'HTTP',
      paths: [{ path: '/other' }, { path: '/echo/' }],
      entrypoints: [{ type: 'http-proxy' }],
    });
    const errors = errorsOf(input);
    expect(errors).toEqual([
      { path: '/listeners/1/paths/1/path', message: 'duplicates the context path at /listeners/0/paths/0/path' },
    ]);
  });

  it('accepts the same path on two different hosts', () => {
    const input = validApi();
    input.listeners[0].paths = [
      { host: 'a.test', path: '/echo' },
      { host: 'b.test', path: '/echo' },
    ];
    expect(validateApiDefinition(input).ok).toBe(true);
  });

  it('reports a target that is not an absolute http(s) URL', () => {
    for (const target of ['backend.test/echo', 'ftp://backend.test', '', 42]) {
      const input = validApi();
      input.endpointGroups[0].endpoints[0].configuration.target = target;
      expect(paths(input)).toEqual(['/endpointGroups/0/endpoints/0/configuration/target']);
    }
  });

  it('accepts EL in a target when the scheme is right', () => {
    const input = validApi();
    input.endpointGroups[0].endpoints[0].configuration.target = "https://{#api.properties['host']}/v1";
    expect(validateApiDefinition(input).ok).toBe(true);
  });

  it('reports a missing target of an http-proxy endpoint', () => {
    const input = validApi();
    delete input.endpointGroups[0].endpoints[0].configuration;
    expect(paths(input)).toEqual(['/endpointGroups/0/endpoints/0/configuration/target']);
  });

  it('checks tcp-proxy targets as host and port', () => {
    const input = validApi();
    input.endpointGroups[0].type = 'tcp-proxy';
    input.endpointGroups[0].endpoints[0] = {
      name: 'tcp',
      type: 'tcp-proxy',
      configuration: { target: { host: '', port: 70000 } },
    };
    expect(paths(input)).toEqual([
      '/endpointGroups/0/endpoints/0/configuration/target/host',
      '/endpointGroups/0/endpoints/0/configuration/target/port',
    ]);
  });

  it('reports a weight of the wrong type and a weight below 1', () => {
    const input = validApi();
    input.endpointGroups[0].endpoints[0].weight = '2';
    expect(errorsOf(input)).toEqual([
      { path: '/endpointGroups/0/endpoints/0/weight', message: 'must be of type integer' },
    ]);
    input.endpointGroups[0].endpoints[0].weight = 0;
    expect(errorsOf(input)).toEqual([{ path: '/endpointGroups/0/endpoints/0/weight', message: 'must be >= 1' }]);
  });

  it('reports an unknown load balancer type', () => {
    const input = validApi();
    input.endpointGroups[0].loadBalancer = { type: 'LEAST_CONN' };
    expect(errorsOf(input)).toEqual([
      {
        path: '/endpointGroups/0/loadBalancer/type',
        message: 'must be one of: ROUND_ROBIN, RANDOM, WEIGHTED_ROUND_ROBIN, WEIGHTED_RANDOM',
      },
    ]);
  });

  it('reports a step without policy', () => {
    const input = validApi();
    delete input.flows[0].request[0].policy;
    expect(errorsOf(input)).toEqual([{ path: '/flows/0/request/0/policy', message: 'is required' }]);
  });

  it('reports an unknown selector type at its type', () => {
    const input = validApi();
    input.flows[0].selectors.push({ type: 'GRAPHQL' });
    expect(errorsOf(input)).toEqual([{ path: '/flows/0/selectors/1/type', message: 'unknown type "GRAPHQL"' }]);
  });

  it('reports a selector path without a leading slash', () => {
    const input = validApi();
    input.flows[0].selectors[0].path = 'foo';
    expect(paths(input)).toEqual(['/flows/0/selectors/0/path']);
  });

  it('requires an endpoint group with at least one endpoint', () => {
    expect(paths({ ...validApi(), endpointGroups: [] })).toEqual(['/endpointGroups']);
    const input = validApi();
    input.endpointGroups[0].endpoints = [];
    expect(paths(input)).toEqual(['/endpointGroups/0/endpoints']);
  });

  it('reports duplicate endpoint names across groups', () => {
    const input = validApi();
    input.endpointGroups.push({
      name: 'second',
      type: 'http-proxy',
      endpoints: [{ name: 'default', type: 'http-proxy', configuration: { target: 'http://b.test' } }],
    });
    expect(errorsOf(input)).toEqual([
      {
        path: '/endpointGroups/1/endpoints/0/name',
        message: 'duplicates the name "default" at /endpointGroups/0/endpoints/0/name',
      },
    ]);
  });

  it('reports a group name reused as an endpoint name, and an endpoint type different from its group', () => {
    const input = validApi();
    input.endpointGroups[0].endpoints.push({ name: 'default-group', type: 'mock' });
    expect(errorsOf(input)).toEqual([
      {
        path: '/endpointGroups/0/endpoints/1/name',
        message: 'duplicates the name "default-group" at /endpointGroups/0/name',
      },
      { path: '/endpointGroups/0/endpoints/1/type', message: 'must match the endpoint group type "http-proxy"' },
    ]);
  });

  it('reports every problem at once, schema and semantic', () => {
    const input = validApi();
    input.type = 'GRPC';
    input.listeners[0].paths[0].path = 'x';
    input.endpointGroups[0].endpoints[0].weight = -1;
    expect(paths(input).sort()).toEqual(['/endpointGroups/0/endpoints/0/weight', '/listeners/0/paths/0/path', '/type']);
  });

  it('escapes pointer segments (RFC 6901)', () => {
    const input = validApi();
    input.responseTemplates = { DEFAULT: { 'application/json': { status: 'x' } } };
    expect(paths(input)).toEqual(['/responseTemplates/DEFAULT/application~1json/status']);
  });

  it('assertValidApiDefinition throws a ValidationError with the details', () => {
    const input = validApi();
    input.listeners = [];
    try {
      assertValidApiDefinition(input);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('DEFINITION_INVALID');
      expect((error as ValidationError).details.map((d) => d.path)).toEqual(['/listeners']);
    }
    expect(assertValidApiDefinition(validApi()).id).toBe('api-1');
  });
});

describe('validatePlanDefinition', () => {
  it('normalises the lowercase Gravitee security ids and parses a string configuration', () => {
    const input = { id: 'p', name: 'Keys', security: { type: 'api-key', configuration: '{"propagateApiKey":true}' } };
    const result = validatePlanDefinition(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.security).toEqual({ type: 'API_KEY', configuration: { propagateApiKey: true } });
    expect(result.value).toMatchObject({
      definitionVersion: 'V4',
      mode: 'STANDARD',
      status: 'STAGING',
      validation: 'AUTO',
    });
    expect(input.security.type).toBe('api-key');
  });

  it('maps every lowercase id', () => {
    const types = ['key-less', 'api-key', 'jwt', 'oauth2', 'mtls'].map((type) => {
      const result = validatePlanDefinition({ id: 'p', name: 'n', security: { type } });
      return result.ok ? result.value.security?.type : undefined;
    });
    expect(types).toEqual(['KEY_LESS', 'API_KEY', 'JWT', 'OAUTH2', 'MTLS']);
  });

  it('reports an unknown security type, a missing name and a bad status', () => {
    const result = validatePlanDefinition({ id: 'p', security: { type: 'BASIC' }, status: 'OPEN' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path).sort()).toEqual(['/name', '/security/type', '/status']);
  });

  it('requires security on STANDARD plans, not on PUSH plans', () => {
    const standard = validatePlanDefinition({ id: 'p', name: 'n' });
    expect(standard.ok ? [] : standard.errors).toEqual([
      { path: '/security', message: 'is required for a STANDARD plan' },
    ]);
    expect(validatePlanDefinition({ id: 'p', name: 'n', mode: 'PUSH' }).ok).toBe(true);
  });
});

describe('validateApiExport', () => {
  it('prefixes pointers with /api and /plans/<i>', () => {
    const api = validApi();
    api.listeners[0].paths[0].path = 'nope';
    const result = validateApiExport({
      api,
      plans: [{ id: 'p', name: 'ok', security: { type: 'KEY_LESS' } }, { id: 'q' }],
    });
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual([
      '/api/listeners/0/paths/0/path',
      '/plans/1/name',
      '/plans/1/security',
    ]);
  });

  it('fills the collections of the export', () => {
    const result = validateApiExport({ api: validApi() });
    expect(result.ok && result.value).toMatchObject({ plans: [], pages: [], members: [], metadata: [], apiMedia: [] });
  });
});
