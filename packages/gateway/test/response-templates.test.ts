import type { JsonObject } from '@apim/core';
import { afterEach, describe, expect, it } from 'vitest';
import { send, snapshot } from './helpers.js';
import { cleanupList, startOptionsGateway } from './server-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

function withTemplates(definition: JsonObject, templates: JsonObject): JsonObject {
  (definition.api as JsonObject).responseTemplates = templates;
  return definition;
}

const DOWN = 'http://127.0.0.1:9';

const TEMPLATES: JsonObject = {
  GATEWAY_CLIENT_CONNECTION_ERROR: {
    'application/json': {
      status: 503,
      headers: { 'X-Reason': 'backend-down' },
      body: '{"error":"backend down","key":"{#error.key}"}',
    },
    'text/xml': { body: '<error>down</error>' },
    '*/*': { status: 500, body: 'backend down' },
  },
  DEFAULT: {
    '*.*': { status: 418, headers: { 'Content-Type': 'text/x-teapot' }, body: 'default template' },
  },
};

describe('response templates', () => {
  it('chooses the template of the failure key by the accepted media types, then the wildcard', async () => {
    const gw = await startOptionsGateway(
      cleanups,
      {},
      withTemplates(snapshot({ paths: [{ path: '/down' }], targets: [DOWN] }), TEMPLATES),
    );
    const json = await send(gw.port, { path: '/down', headers: { accept: 'application/json' } });
    expect(json.status).toBe(503);
    expect(json.headers['x-reason']).toBe('backend-down');
    expect(json.headers['content-type']).toBe('application/json');
    // The body is an EL template: `#error` is the failure.
    expect(json.body.toString()).toBe('{"error":"backend down","key":"GATEWAY_CLIENT_CONNECTION_ERROR"}');
    expect(json.headers['content-length']).toBe(String(json.body.length));
    expect(json.headers['x-gravitee-request-id']).toBeDefined();
    expect(json.headers.connection).toBe('close');

    const xml = await send(gw.port, { path: '/down', headers: { accept: 'application/json;q=0.1, text/xml;q=0.9' } });
    expect(xml.status).toBe(502);
    expect(xml.headers['content-type']).toBe('text/xml');
    expect(xml.body.toString()).toBe('<error>down</error>');

    const html = await send(gw.port, { path: '/down', headers: { accept: 'text/html' } });
    expect(html.status).toBe(500);
    expect(html.body.toString()).toBe('backend down');
    expect(html.headers['content-type']).toBe('text/html');

    const none = await send(gw.port, { path: '/down' });
    expect(none.status).toBe(500);
    expect(none.headers['content-type']).toBeUndefined();

    const head = await send(gw.port, { method: 'HEAD', path: '/down', headers: { accept: 'application/json' } });
    expect(head.status).toBe(503);
    expect(head.body.length).toBe(0);
  });

  it('falls back to the DEFAULT key, and keeps the 404 of an unknown path untouched', async () => {
    const gw = await startOptionsGateway(
      cleanups,
      { maxRequestBodySize: 10 },
      withTemplates(snapshot({ paths: [{ path: '/keyed' }], targets: [DOWN], planType: 'API_KEY' }), TEMPLATES),
    );
    const unauthorized = await send(gw.port, { path: '/keyed', headers: { accept: 'application/json' } });
    expect(unauthorized.status).toBe(418);
    expect(unauthorized.headers['content-type']).toBe('text/x-teapot');
    expect(unauthorized.body.toString()).toBe('default template');
    const tooLarge = await send(gw.port, { method: 'POST', path: '/keyed', body: 'x'.repeat(11) });
    expect(tooLarge.status).toBe(418);
    expect(tooLarge.headers.connection).toBe('close');
    const missing = await send(gw.port, { path: '/unknown', headers: { accept: 'application/json' } });
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).toBe('No context-path matches the request URI.');
  });

  it('overrides only the status when the template has no body, and ignores framing headers', async () => {
    const gw = await startOptionsGateway(
      cleanups,
      {},
      withTemplates(snapshot({ paths: [{ path: '/keyed' }], targets: [DOWN], planType: 'API_KEY' }), {
        GATEWAY_PLAN_UNRESOLVABLE: {
          '*/*': { status: 403, headers: { 'Content-Length': '999', 'X-Kept': 'yes' } },
        },
      }),
    );
    const res = await send(gw.port, { path: '/keyed' });
    expect(res.status).toBe(403);
    expect(res.headers['content-length']).toBe('0');
    expect(res.headers['x-kept']).toBe('yes');
    expect(res.body.length).toBe(0);
  });

  it('answers other keys the default way when neither the key nor DEFAULT has a template', async () => {
    const gw = await startOptionsGateway(
      cleanups,
      {},
      withTemplates(snapshot({ paths: [{ path: '/keyed' }], targets: [DOWN], planType: 'API_KEY' }), {
        GATEWAY_CLIENT_CONNECTION_ERROR: { '*/*': { status: 500 } },
      }),
    );
    const res = await send(gw.port, { path: '/keyed', headers: { accept: '*/*' } });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body.toString())).toEqual({ message: 'Unauthorized', http_status_code: 401 });
  });
});
