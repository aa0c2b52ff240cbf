import { type EchoUpstream, startEchoUpstream } from '@apim/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { flow, step } from './flows-helpers.js';
import { send, snapshot, startTestGateway } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

// dynamic-routing sets `gravitee.attribute.request.endpoint`; the gateway honours it, within the API's endpoints.
describe('dynamic routing through the gateway', () => {
  async function setup() {
    const a: EchoUpstream = await startEchoUpstream();
    const b: EchoUpstream = await startEchoUpstream();
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const definition = snapshot({ id: 'routed', paths: [{ path: '/api' }], targets: [`${a.url}/a`, `${b.url}/b`] });
    const rules = [
      { pattern: '^/by-name/(.*)$', url: 'endpoint-1:/v2/{#group[0]}' },
      { pattern: '^/absolute/(.*)$', url: `${a.url}/abs/{#group[0]}?from=rule` },
      { pattern: '^/foreign$', url: 'http://169.254.169.254/latest/meta-data' },
      { pattern: '^/unknown$', url: 'no-such-endpoint:/x' },
    ];
    (definition.api as { flows: unknown[] }).flows = [flow({ request: [step('dynamic-routing', { rules })] })];
    const gw = await startTestGateway(definition);
    cleanups.push(() => gw.close());
    return { a, b, gw };
  }

  it('routes to a named endpoint with the rule path joined to its base path', async () => {
    const { a, b, gw } = await setup();
    for (let i = 0; i < 3; i++) expect((await send(gw.port, { path: '/api/by-name/users/7' })).status).toBe(200);
    expect(b.requests.map((r) => r.url)).toEqual(Array(3).fill('/b/v2/users/7'));
    expect(a.requests).toHaveLength(0);
  });

  it('routes to an absolute URL on an endpoint origin, as written (no context path appended)', async () => {
    const { a, b, gw } = await setup();
    expect((await send(gw.port, { path: '/api/absolute/x' })).status).toBe(200);
    expect(a.requests.map((r) => r.url)).toEqual(['/abs/x?from=rule']);
    expect(b.requests).toHaveLength(0);
  });

  it('refuses targets outside the API endpoints with 503, reaching no upstream', async () => {
    const { a, b, gw } = await setup();
    expect((await send(gw.port, { path: '/api/foreign' })).status).toBe(503);
    expect((await send(gw.port, { path: '/api/unknown' })).status).toBe(503);
    expect(a.requests.length + b.requests.length).toBe(0);
  });

  it('answers 400 when no rule matches (Gravitee: "No routing rule is matching path")', async () => {
    const { a, b, gw } = await setup();
    const res = await send(gw.port, { path: '/api/elsewhere' });
    expect(res.status).toBe(400);
    expect(a.requests.length + b.requests.length).toBe(0);
  });
});
