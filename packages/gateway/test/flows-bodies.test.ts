import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { definePolicy, type JsonObject } from '@apim/core';
import { createPolicyRegistry } from '@apim/policies';
import { startEchoUpstream } from '@apim/testkit';
import { Type } from '@sinclair/typebox';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiRegistry, ApiRuntime, type ApiRuntimeOptions, createGatewayServer } from '../src/index.js';
import { flow, flowSnapshot, step } from './flows-helpers.js';
import { send } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A response policy that reads the body (needsBody.response) and upper-cases it. */
const upperCase = definePolicy({
  id: 'upper-case',
  version: '1',
  name: 'Upper case',
  description: 'test',
  category: 'transformation',
  phases: ['response'],
  needsBody: { response: true },
  schema: Type.Object({}),
  create: () => ({
    onResponse: async (exec) => {
      const body = await exec.response.body();
      exec.response.setBody(body.toString().toUpperCase());
      exec.response.headers.set('X-Upper', 'yes');
    },
  }),
});

async function gateway(snapshot: JsonObject, runtime: ApiRuntimeOptions = {}, maxBufferedBodySize?: number) {
  const registry = new ApiRegistry();
  const api = snapshot.api as { id: string };
  registry.deploy(
    new ApiRuntime(
      { apiId: api.id, environmentId: 'DEFAULT', deploymentId: 'd1', revision: 1, definition: snapshot },
      pino({ level: 'silent' }),
      { policies: createPolicyRegistry([upperCase]), ...runtime },
    ),
  );
  const server = createGatewayServer(registry, pino({ level: 'silent' }), { maxBufferedBodySize });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    server.close();
    await registry.close(1_000);
  });
  return (server.address() as AddressInfo).port;
}

async function upstream() {
  const up = await startEchoUpstream();
  cleanups.push(() => up.close());
  return up;
}

describe('bodies with flows', () => {
  it('buffers the request body once for a step reading #request.content, and still sends it upstream', async () => {
    const up = await upstream();
    const port = await gateway(
      flowSnapshot({
        target: up.url,
        flows: [
          flow({
            request: [
              step('assign-attributes', { attributes: [{ name: 'body', value: '{#request.content}' }] }),
              step('transform-headers', {
                addHeaders: [{ name: 'X-Body', value: "{#context.attributes['body']}" }],
              }),
            ],
          }),
        ],
      }),
    );
    const res = await send(port, {
      method: 'POST',
      path: '/api/x',
      body: 'hello body',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('hello body');
    expect(up.requests[0]!.headers['x-body']).toBe('hello body');
    expect(up.requests[0]!.headers['content-length']).toBe('10');
    expect(up.requests[0]!.body.toString()).toBe('hello body');
  });

  it('answers 413 when a buffered request body passes maxBufferedBodySize', async () => {
    const up = await upstream();
    const flows = [
      flow({ request: [step('assign-attributes', { attributes: [{ name: 'b', value: '{#request.content}' }] })] }),
    ];
    const port = await gateway(flowSnapshot({ target: up.url, flows }), {}, 1024);
    const res = await send(port, { method: 'POST', path: '/api/x', body: randomBytes(4096) });
    expect(res.status).toBe(413);
    expect(up.requests).toHaveLength(0);
  });

  it('streams a 1 MB body when no selected step needs it (not bounded by maxBufferedBodySize)', async () => {
    const up = await upstream();
    const flows = [flow({ request: [step('transform-headers', { addHeaders: [{ name: 'X-A', value: '1' }] })] })];
    const port = await gateway(flowSnapshot({ target: up.url, flows }), {}, 1024);
    const body = randomBytes(1024 * 1024);
    const res = await send(port, {
      method: 'POST',
      path: '/api/big',
      body,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(res.status).toBe(200);
    expect(sha256(res.body)).toBe(sha256(body));
    expect(sha256(up.requests[0]!.body)).toBe(sha256(body));
    expect(up.requests[0]!.headers['x-a']).toBe('1');
  });

  it('buffers the upstream body for a response step that needs it and recomputes Content-Length', async () => {
    const up = await upstream();
    const flows = [flow({ response: [step('upper-case')] })];
    const port = await gateway(flowSnapshot({ target: up.url, flows }));
    const res = await send(port, { method: 'POST', path: '/api/x', body: 'make me loud' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('MAKE ME LOUD');
    expect(res.headers['x-upper']).toBe('yes');
    expect(res.headers['content-length']).toBe('12');
    expect(res.headers['transfer-encoding']).toBeUndefined();
  });
});

describe('platform flows', () => {
  it('run around the API flows, and their response steps still run after an interruption', async () => {
    const up = await upstream();
    const platformFlows = [
      flow({
        request: [step('transform-headers', { addHeaders: [{ name: 'X-Platform', value: 'in' }] })],
        response: [step('transform-headers', { addHeaders: [{ name: 'X-Platform-Out', value: 'out' }] })],
      }),
    ] as never;
    const flows = [flow({ request: [step('resource-filtering', { blacklist: [{ pattern: '/denied/**' }] })] })];
    const port = await gateway(flowSnapshot({ target: up.url, flows }), { platformFlows });
    const ok = await send(port, { path: '/api/fine' });
    expect(ok.status).toBe(200);
    expect(ok.headers['x-platform-out']).toBe('out');
    expect(up.requests[0]!.headers['x-platform']).toBe('in');
    const denied = await send(port, { path: '/api/denied/x' });
    expect(denied.status).toBe(403);
    expect(up.requests).toHaveLength(1);
  });
});
