import { describe, expect, it } from 'vitest';
import { ApimError, ValidationError } from '../errors.js';
import { importDefinition } from './import-definition.js';

/** A v2 definition using the features the benchmark files leave out. */
// biome-ignore lint/suspicious/noExplicitAny: each test mutates a fresh copy at any depth.
function richV2(): Record<string, any> {
  return {
    id: 'v2-api',
    name: 'Rich',
    version: 2,
    gravitee: '2.0.0',
    flow_mode: 'BEST_MATCH',
    tags: ['internal'],
    labels: ['l1'],
    categories: ['c1'],
    visibility: 'public',
    path_mappings: ['/products/:id'],
    properties: [{ key: 'k', value: 'v', encrypted: false }],
    resources: [{ name: 'cache', type: 'cache', enabled: true, configuration: { timeToLiveSeconds: 60 } }],
    response_templates: { API_KEY_MISSING: { '*/*': { status: 401, body: 'no key' } } },
    services: {
      'health-check': {
        enabled: true,
        schedule: '0 */1 * * * *',
        steps: [
          {
            request: { path: '/_health', method: 'GET', headers: [{ name: 'X-Probe', value: '1' }], fromRoot: true },
            response: { assertions: ['#response.status == 200'] },
          },
        ],
      },
    },
    flows: [
      {
        name: 'writes',
        'path-operator': { path: '/items', operator: 'EQUALS' },
        methods: ['POST', 'PUT'],
        condition: "{#request.headers['x-debug'] != null}",
        pre: [{ name: 'Headers', policy: 'transform-headers', configuration: '{"scope":"REQUEST"}', enabled: false }],
        post: [
          { name: 'Cache', policy: 'cache', configuration: { scope: 'API' }, condition: '{#response.status == 200}' },
        ],
        enabled: true,
      },
    ],
    plans: [
      {
        id: 'jwt-plan',
        name: 'JWT',
        security: 'JWT',
        securityDefinition: '{"signature":"RSA_RS256","publicKeyResolver":"GIVEN_KEY"}',
        status: 'STAGING',
        validation: 'MANUAL',
        selection_rule: "{#context.attributes['jwt'].claims['iss'] == 'x'}",
        excluded_groups: ['g1'],
        comment_required: true,
        flows: [],
      },
    ],
    proxy: {
      virtual_hosts: [{ host: 'api.example.com', path: '/rich', override_entrypoint: true }, { path: '/rich-alt' }],
      strip_context_path: true,
      preserve_host: true,
      cors: { enabled: true, allowOrigin: ['*'], allowMethods: ['GET'], maxAge: 60, allowCredentials: false },
      logging: {
        mode: 'CLIENT_PROXY',
        scope: 'REQUEST',
        content: 'HEADERS',
        condition: '{#request.headers.x != null}',
      },
      failover: { maxAttempts: 3, retryTimeout: 2000, cases: ['TIMEOUT'] },
      groups: [
        {
          name: 'backends',
          load_balancing: { type: 'WEIGHTED_ROUND_ROBIN' },
          http: { connectTimeout: 1000, readTimeout: null, maxHeaderSize: 8192, version: 'HTTP_2' },
          ssl: { trustAll: true, hostnameVerifier: false, trustStore: null },
          headers: [{ name: 'X-Gateway', value: 'apim' }],
          endpoints: [
            { name: 'primary', target: 'https://a.example.com/v1', weight: 3, backup: false },
            {
              name: 'backup',
              target: 'https://b.example.com/v1',
              backup: true,
              inherit: false,
              http: { connectTimeout: 9000 },
              ssl: { trustAll: false },
              healthcheck: {
                enabled: true,
                inherit: false,
                schedule: '*/5 * * * * *',
                steps: [
                  { request: { path: '/ping', method: 'HEAD' }, response: { assertions: ['#response.status == 204'] } },
                ],
              },
              tenants: ['eu'],
            },
          ],
        },
      ],
    },
  };
}

describe('importDefinition: v2 conversion', () => {
  const { api, plans, sourceFormat } = importDefinition(richV2());

  it('keeps the id and carries the metadata over', () => {
    expect(sourceFormat).toBe('v2-definition');
    expect(api).toMatchObject({
      id: 'v2-api',
      apiVersion: '2',
      tags: ['internal'],
      labels: ['l1'],
      categories: ['c1'],
      visibility: 'PUBLIC',
      flowExecution: { mode: 'BEST_MATCH', matchRequired: false },
      properties: [{ key: 'k', value: 'v', encrypted: false, dynamic: false }],
      resources: [{ name: 'cache', type: 'cache', enabled: true, configuration: { timeToLiveSeconds: 60 } }],
      responseTemplates: { API_KEY_MISSING: { '*/*': { status: 401, body: 'no key' } } },
    });
  });

  it('makes one HTTP listener with virtual hosts, cors, path mappings and stripContextPath', () => {
    expect(api.listeners).toEqual([
      {
        type: 'HTTP',
        paths: [{ host: 'api.example.com', path: '/rich', overrideAccess: true }, { path: '/rich-alt' }],
        pathMappings: ['/products/:id'],
        cors: { enabled: true, allowOrigin: ['*'], allowMethods: ['GET'], maxAge: 60, allowCredentials: false },
        entrypoints: [{ type: 'http-proxy' }],
        stripContextPath: true,
      },
    ]);
  });

  it('converts the group: load balancer, shared configuration, preserve_host, health check', () => {
    const group = api.endpointGroups[0]!;
    expect(group.name).toBe('backends');
    expect(group.loadBalancer).toEqual({ type: 'WEIGHTED_ROUND_ROBIN' });
    expect(group.sharedConfiguration).toEqual({
      http: { connectTimeout: 1000, version: 'HTTP_2', propagateClientHost: true },
      ssl: { trustAll: true, hostnameVerifier: false },
      headers: [{ name: 'X-Gateway', value: 'apim' }],
    });
    expect(group.services?.healthCheck).toEqual({
      enabled: true,
      type: 'http-health-check',
      configuration: {
        schedule: '0 */1 * * * *',
        method: 'GET',
        target: '/_health',
        headers: [{ name: 'X-Probe', value: '1' }],
        overrideEndpointPath: true,
        assertion: '{#response.status == 200}',
      },
    });
  });

  it('converts endpoints: weight, backup, inherit, override configuration, endpoint health check, tenants', () => {
    const [primary, backup] = api.endpointGroups[0]!.endpoints;
    expect(primary).toEqual({
      name: 'primary',
      type: 'http-proxy',
      weight: 3,
      secondary: false,
      inheritConfiguration: true,
      configuration: { target: 'https://a.example.com/v1' },
    });
    expect(backup).toEqual({
      name: 'backup',
      type: 'http-proxy',
      weight: 1,
      secondary: true,
      inheritConfiguration: false,
      configuration: { target: 'https://b.example.com/v1' },
      sharedConfigurationOverride: {
        http: { connectTimeout: 9000, propagateClientHost: true },
        ssl: { trustAll: false },
      },
      services: {
        healthCheck: {
          enabled: true,
          type: 'http-health-check',
          overrideConfiguration: true,
          configuration: {
            schedule: '*/5 * * * * *',
            method: 'HEAD',
            target: '/ping',
            assertion: '{#response.status == 204}',
          },
        },
      },
      tenants: ['eu'],
    });
  });

  it('converts logging to analytics and failover', () => {
    expect(api.analytics).toEqual({
      enabled: true,
      logging: {
        mode: { entrypoint: true, endpoint: true },
        phase: { request: true, response: false },
        content: {
          headers: true,
          payload: false,
          messageHeaders: false,
          messagePayload: false,
          messageMetadata: false,
        },
        condition: '{#request.headers.x != null}',
      },
    });
    expect(api.failover).toEqual({ enabled: true, maxRetries: 3, slowCallDuration: 2000 });
  });

  it('converts flows: HTTP and CONDITION selectors, pre -> request, post -> response', () => {
    expect(api.flows).toEqual([
      {
        name: 'writes',
        enabled: true,
        selectors: [
          { type: 'HTTP', path: '/items', pathOperator: 'EQUALS', methods: ['POST', 'PUT'] },
          { type: 'CONDITION', condition: "{#request.headers['x-debug'] != null}" },
        ],
        request: [
          { name: 'Headers', enabled: false, policy: 'transform-headers', configuration: { scope: 'REQUEST' } },
        ],
        response: [
          {
            name: 'Cache',
            enabled: true,
            policy: 'cache',
            configuration: { scope: 'API' },
            condition: '{#response.status == 200}',
          },
        ],
        subscribe: [],
        publish: [],
        tags: [],
      },
    ]);
  });

  it('converts the plan with its parsed security definition', () => {
    expect(plans).toEqual([
      {
        id: 'jwt-plan',
        apiId: 'v2-api',
        name: 'JWT',
        definitionVersion: 'V4',
        security: { type: 'JWT', configuration: { signature: 'RSA_RS256', publicKeyResolver: 'GIVEN_KEY' } },
        selectionRule: "{#context.attributes['jwt'].claims['iss'] == 'x'}",
        mode: 'STANDARD',
        status: 'STAGING',
        validation: 'MANUAL',
        commentRequired: true,
        excludedGroups: ['g1'],
        tags: [],
        flows: [],
      },
    ]);
  });

  it('converts Gravitee 1.x paths and context_path', () => {
    const imported = importDefinition({
      name: 'Old',
      version: '1',
      gravitee: '1.0.0',
      proxy: { context_path: '/old', endpoints: [{ name: 'e', target: 'http://old.test' }] },
      paths: { '/': [{ methods: ['GET'], 'rate-limit': { rate: { limit: 5 } }, enabled: true }] },
    });
    expect(imported.api.listeners[0]!.paths).toEqual([{ path: '/old' }]);
    expect(imported.api.endpointGroups[0]!.endpoints[0]!.configuration).toEqual({ target: 'http://old.test' });
    expect(imported.api.flows[0]!.selectors[0]).toEqual({
      type: 'HTTP',
      path: '/',
      pathOperator: 'STARTS_WITH',
      methods: ['GET'],
    });
    expect(imported.api.flows[0]!.request[0]).toMatchObject({
      policy: 'rate-limit',
      configuration: { rate: { limit: 5 } },
    });
  });

  it('reports an invalid converted definition with pointers into the v4 document', () => {
    const v2 = richV2();
    v2.proxy.groups[0].endpoints[0].target = 'a.example.com';
    v2.proxy.virtual_hosts[1].path = 'rich-alt';
    try {
      importDefinition(v2);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('DEFINITION_INVALID');
      expect((error as ValidationError).details.map((d) => d.path)).toEqual([
        '/api/listeners/0/paths/1/path',
        '/api/endpointGroups/0/endpoints/0/configuration/target',
      ]);
    }
  });
});

describe('importDefinition: other sources', () => {
  const v4Spec = `
apiVersion: gravitee.io/v1alpha1
kind: ApiV4Definition
metadata:
  name: k8s-v4
spec:
  contextRef: { name: dev-ctx }
  version: "2.1"
  type: PROXY
  listeners:
    - type: HTTP
      paths: [{ path: /k8s }]
      entrypoints: [{ type: http-proxy }]
  endpointGroups:
    - name: default-group
      type: http-proxy
      endpoints:
        - name: default
          type: http-proxy
          configuration: { target: "https://k8s.test" }
  plans:
    keys:
      security: { type: api-key }
    free:
      security: { type: KEY_LESS }
      status: STAGING
`;

  it('reads a Kubernetes ApiV4Definition: plans map, version, metadata.name', () => {
    const imported = importDefinition(v4Spec);
    expect(imported.sourceFormat).toBe('kubernetes');
    expect(imported.api).toMatchObject({ name: 'k8s-v4', apiVersion: '2.1', definitionVersion: 'V4' });
    expect(imported.api).not.toHaveProperty('contextRef');
    expect(imported.plans.map((p) => [p.name, p.security?.type, p.status])).toEqual([
      ['keys', 'API_KEY', 'PUBLISHED'],
      ['free', 'KEY_LESS', 'STAGING'],
    ]);
  });

  it('reads a bare v4 API with a string endpoint configuration and null fields', () => {
    const imported = importDefinition({
      id: 'bare',
      name: 'Bare',
      apiVersion: '1',
      definitionVersion: 'V4',
      type: 'PROXY',
      failover: null,
      listeners: [{ type: 'HTTP', paths: [{ path: '/bare' }], entrypoints: [{ type: 'http-proxy' }] }],
      endpointGroups: [
        {
          name: 'g',
          type: 'http-proxy',
          endpoints: [{ name: 'e', type: 'http-proxy', configuration: '{"target":"http://b.test"}' }],
        },
      ],
    });
    expect(imported.sourceFormat).toBe('v4-export');
    expect(imported.api).not.toHaveProperty('failover');
    expect(imported.api.endpointGroups[0]!.endpoints[0]!.configuration).toEqual({ target: 'http://b.test' });
    expect(imported.plans).toEqual([]);
  });

  it('reads a v2 API wrapped in { api } as the Management API v2 exports it', () => {
    const imported = importDefinition({
      api: {
        definitionVersion: 'V2',
        name: 'Wrapped',
        apiVersion: '3',
        proxy: {
          virtualHosts: [{ path: '/w' }],
          groups: [{ name: 'g', endpoints: [{ name: 'e', target: 'http://w.test' }] }],
        },
      },
      plans: [{ name: 'Free', security: 'KEY_LESS' }],
    });
    expect(imported.sourceFormat).toBe('v2-definition');
    expect(imported.api).toMatchObject({ name: 'Wrapped', apiVersion: '3' });
    expect(imported.api.listeners[0]!.paths).toEqual([{ path: '/w' }]);
    expect(imported.plans[0]).toMatchObject({ name: 'Free', security: { type: 'KEY_LESS' } });
  });

  it('gives malformed JSON an IMPORT_UNSUPPORTED_FORMAT error with the position', () => {
    try {
      importDefinition('{"api": {"name": "x",, }');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ApimError);
      expect((error as ApimError).code).toBe('IMPORT_UNSUPPORTED_FORMAT');
      expect((error as ApimError).message).toMatch(
        /^The file is neither valid JSON nor valid YAML \(line 1, column \d+\): ./,
      );
    }
  });

  it('gives malformed YAML an IMPORT_UNSUPPORTED_FORMAT error with the position', () => {
    expect(() => importDefinition('name: x\n  bad: [1, 2\nproxy: {')).toThrowError(/line \d+, column \d+/);
    try {
      importDefinition('name: x\n  bad: [1, 2\nproxy: {');
    } catch (error) {
      expect((error as ApimError).code).toBe('IMPORT_UNSUPPORTED_FORMAT');
    }
  });

  it.each([
    ['an empty file', ''],
    ['a scalar', '"just a string"'],
    ['an array', '[1, 2]'],
    ['an unknown object', '{"openapi": "3.0.0"}'],
    ['another Kubernetes kind', 'apiVersion: gravitee.io/v1alpha1\nkind: Application\nspec: {}'],
  ])('rejects %s with IMPORT_UNSUPPORTED_FORMAT', (_label, text) => {
    try {
      importDefinition(text);
      expect.unreachable();
    } catch (error) {
      expect((error as ApimError).code).toBe('IMPORT_UNSUPPORTED_FORMAT');
      expect((error as ApimError).status).toBe(400);
    }
  });
});
