/**
 * Test helpers: deployment snapshots built from the Gravitee bench fixture, an in-process gateway around a registry,
 * and a raw HTTP client (node:http, so tests control every header byte).
 */
import { once } from 'node:events';
import { type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '@apim/core';
import { readJsonFixture } from '@apim/testkit';
import { pino } from 'pino';
import { ApiRegistry, ApiRuntime, type ApiRuntimeOptions, createGatewayServer } from '../src/index.js';

export interface SnapshotOptions {
  id?: string;
  paths?: { host?: string; path: string }[];
  targets?: string[];
  loadBalancer?: string;
  http?: Record<string, unknown>;
  planStatus?: string;
  planType?: string;
  secondary?: boolean[];
}

/** The parts of the bench fixture the helpers rewrite. */
interface BenchFixture {
  api: {
    id?: string;
    listeners: { paths: unknown[] }[];
    endpointGroups: {
      loadBalancer: { type: string };
      sharedConfiguration: { http: Record<string, unknown> };
      endpoints: Record<string, unknown>[];
    }[];
  };
  plans: { status: string; security: { type: string } }[];
}

/** A `{ api, plans }` deployment snapshot: the bench passthrough API with its fields replaced as asked. */
export function snapshot(options: SnapshotOptions = {}): JsonObject {
  const fixture = readJsonFixture<BenchFixture>('gravitee/bench/0-passthrough-v4.json');
  const api = fixture.api;
  api.id = options.id ?? 'api-1';
  if (options.paths) api.listeners[0]!.paths = options.paths;
  const group = api.endpointGroups[0]!;
  const template = group.endpoints[0]!;
  group.loadBalancer.type = options.loadBalancer ?? 'ROUND_ROBIN';
  group.sharedConfiguration.http = { ...group.sharedConfiguration.http, ...options.http };
  group.endpoints = (options.targets ?? ['http://127.0.0.1:9']).map((target, i) => ({
    ...template,
    name: `endpoint-${i}`,
    secondary: options.secondary?.[i] ?? false,
    configuration: { target },
  }));
  const plans = fixture.plans.map((plan, i) => ({
    ...plan,
    id: `plan-${i}`,
    status: options.planStatus ?? plan.status,
    security: { type: options.planType ?? plan.security.type },
  }));
  return { api, plans };
}

/** Compiles a snapshot into a runtime. */
export function runtime(
  definition: JsonObject,
  apiId = (definition.api as { id: string }).id,
  revision = 1,
  options: ApiRuntimeOptions = {},
): ApiRuntime {
  return new ApiRuntime(
    { apiId, environmentId: 'DEFAULT', deploymentId: `${apiId}-${revision}`, revision, definition },
    pino({ level: 'silent' }),
    options,
  );
}

export interface TestGateway {
  url: string;
  port: number;
  registry: ApiRegistry;
  server: Server;
  close(): Promise<void>;
}

/** A gateway server on a free port around a registry (no store), with the given snapshots deployed. */
export async function startTestGateway(...definitions: JsonObject[]): Promise<TestGateway> {
  const registry = new ApiRegistry();
  for (const definition of definitions) registry.deploy(runtime(definition));
  const server = createGatewayServer(registry, pino({ level: 'silent' }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    registry,
    server,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await registry.close(1_000);
    },
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** Sends one request with exactly these headers (a flat `[name, value, ...]` list is kept as is) and reads it all. */
export function send(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string> | string[]; body?: Buffer | string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Header names of a raw list, lowercased. */
export const headerNames = (raw: string[]) => raw.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());

/** An API flow whose one step sends `X-Caller: <value>` upstream (an EL template): what tests read attributes with. */
export function callerHeaderFlow(value: string): JsonObject[] {
  return [
    {
      name: 'who',
      selectors: [{ type: 'HTTP', path: '/', pathOperator: 'STARTS_WITH' }],
      request: [
        {
          name: 'caller',
          policy: 'transform-headers',
          configuration: { addHeaders: [{ name: 'X-Caller', value }] },
        },
      ],
      response: [],
    },
  ];
}
