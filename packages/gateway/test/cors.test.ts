/** CORS on the HTTP listener: preflights answered by the gateway, CORS headers on upstream and gateway answers. */
import type { JsonObject } from '@apim/core';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiRuntime } from '../src/index.js';
import { SubscriptionRegistry } from '../src/security/subscription-registry.js';
import { send, snapshot } from './helpers.js';
import { cleanupList, echoUpstream, startOptionsGateway } from './server-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

function withCors(definition: JsonObject, cors: JsonObject): JsonObject {
  const listener = (definition.api as { listeners: JsonObject[] }).listeners[0]!;
  listener.cors = { enabled: true, ...cors };
  return definition;
}

async function corsGateway(cors: JsonObject, extra: (definition: JsonObject) => void = () => undefined) {
  const upstream = await echoUpstream(cleanups, (_req, res, body) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'access-control-allow-origin': 'https://upstream-says.example',
      'x-total-count': '42',
    });
    res.end(JSON.stringify({ ok: true, size: body.length }));
  });
  const definition = withCors(snapshot({ id: 'cors', paths: [{ path: '/cors' }], targets: [upstream.url] }), cors);
  extra(definition);
  const gateway = await startOptionsGateway(cleanups, {}, definition);
  return { upstream, port: gateway.port };
}

const preflight = (origin: string, method = 'PUT', headers?: string) => ({
  method: 'OPTIONS',
  path: '/cors/items',
  headers: {
    origin,
    'access-control-request-method': method,
    ...(headers === undefined ? {} : { 'access-control-request-headers': headers }),
  },
});

describe('CORS', () => {
  const settings = {
    allowOrigin: ['https://app.example.com', 'https://.*\\.partners\\.example'],
    allowMethods: ['GET', 'PUT'],
    allowHeaders: ['content-type', 'x-request-tag'],
    exposeHeaders: ['x-total-count'],
    allowCredentials: true,
    maxAge: 600,
  };

  it('answers an allowed preflight itself (204), reaching no upstream', async () => {
    const { port, upstream } = await corsGateway(settings);
    const answer = await send(port, preflight('https://app.example.com', 'PUT', 'Content-Type, X-Request-Tag'));
    expect(answer.status).toBe(204);
    expect(answer.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET, PUT',
      'access-control-allow-headers': 'content-type, x-request-tag',
      'access-control-allow-credentials': 'true',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    expect(answer.headers['x-gravitee-request-id']).toBeDefined();
    const byPattern = await send(port, preflight('https://shop.partners.example', 'GET'));
    expect(byPattern.status).toBe(204);
    expect(byPattern.headers['access-control-allow-origin']).toBe('https://shop.partners.example');
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses a preflight from another origin, for another method or with other headers (400)', async () => {
    const { port, upstream } = await corsGateway(settings);
    for (const request of [
      preflight('https://evil.example.com'),
      preflight('https://app.example.com.evil.example'),
      preflight('https://app.example.com', 'DELETE'),
      preflight('https://app.example.com', 'PUT', 'x-secret'),
    ]) {
      const answer = await send(port, { ...request, headers: { ...request.headers, accept: 'application/json' } });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body.toString())).toEqual({ message: 'CORS preflight failed', http_status_code: 400 });
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it("adds its headers to the upstream's answer for an allowed origin, replacing the upstream's own", async () => {
    const { port } = await corsGateway(settings);
    const answer = await send(port, { path: '/cors/items', headers: { origin: 'https://app.example.com' } });
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-total-count',
      'x-total-count': '42',
    });
    const other = await send(port, { path: '/cors/items', headers: { origin: 'https://evil.example.com' } });
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // The gateway owns CORS for the API: the upstream's own CORS headers never reach the client.
    const none = await send(port, { path: '/cors/items' });
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
    expect(none.headers['x-total-count']).toBe('42');
  });

  it("answers `*` to any origin without credentials, and the request's origin with them", async () => {
    const open = await corsGateway({ allowOrigin: ['*'] });
    const anyone = await send(open.port, preflight('https://whoever.example', 'PATCH'));
    expect(anyone.status).toBe(204);
    expect(anyone.headers['access-control-allow-origin']).toBe('*');
    expect(anyone.headers['access-control-allow-methods']).toBe('PATCH');
    expect(anyone.headers['access-control-allow-headers']).toBeUndefined();
    // No allowHeaders: a preflight asking for a header is refused.
    expect((await send(open.port, preflight('https://whoever.example', 'PATCH', 'x-anything'))).status).toBe(400);
    const credentialed = await corsGateway({ allowOrigin: ['*'], allowCredentials: true, allowHeaders: ['*'] });
    const echoed = await send(credentialed.port, preflight('https://whoever.example', 'GET', 'x-anything'));
    expect(echoed.headers['access-control-allow-origin']).toBe('https://whoever.example');
    expect(echoed.headers['access-control-allow-headers']).toBe('x-anything');
  });

  it('puts the CORS headers on gateway answers too, so that a browser can read a 401', async () => {
    const { port } = await corsGateway(settings, (definition) => {
      const plans = definition.plans as JsonObject[];
      plans[0] = { ...plans[0], security: { type: 'API_KEY' } };
    });
    const refused = await send(port, { path: '/cors/items', headers: { origin: 'https://app.example.com' } });
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const preflighted = await send(port, preflight('https://app.example.com', 'GET', 'x-request-tag'));
    expect(preflighted.status).toBe(204);
  });

  it('rejects a deployment whose allowOrigin is not a valid regular expression', () => {
    const definition = withCors(snapshot({ id: 'bad', paths: [{ path: '/bad' }] }), { allowOrigin: ['https://(.*'] });
    expect(
      () =>
        new ApiRuntime(
          { apiId: 'bad', environmentId: 'DEFAULT', deploymentId: 'd1', revision: 1, definition },
          pino({ level: 'silent' }),
          { security: { subscriptions: new SubscriptionRegistry() } },
        ),
    ).toThrow('cors.allowOrigin [https://(.*] is not a valid regular expression');
  });
});
