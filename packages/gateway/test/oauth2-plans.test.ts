/**
 * OAuth2 plans against a real authorization server: oidc-provider started in the test, a client-credentials token
 * obtained from its token endpoint, RFC 7662 introspection by the gateway with its own client credentials.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '@apim/core';
import Provider from 'oidc-provider';
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiRuntime } from '../src/index.js';
import { SubscriptionRegistry } from '../src/security/subscription-registry.js';
import { send, snapshot } from './helpers.js';
import { cleanupList, echoUpstream, startSecuredGateway } from './server-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

let authorizationServer: Server;
let issuer: string;
let introspections = 0;

beforeAll(async () => {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  authorizationServer = createServer((req, res) => {
    if (req.url?.startsWith('/token/introspection')) introspections++;
    handler(req, res);
  });
  authorizationServer.listen(0, '127.0.0.1');
  await once(authorizationServer, 'listening');
  issuer = `http://127.0.0.1:${(authorizationServer.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      // The gateway, a resource server allowed to introspect.
      {
        client_id: 'gateway',
        client_secret: 'gateway-secret',
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
      ...['my-client', 'other-client'].map((id) => ({
        client_id: id,
        client_secret: `${id}-secret`,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'read write',
      })),
    ],
    scopes: ['read', 'write'],
    cookies: { keys: ['a-cookie-signing-key-for-the-test-server'] },
    ttl: { ClientCredentials: 600 },
    features: {
      clientCredentials: { enabled: true },
      // Only the gateway (a resource server) may introspect.
      introspection: { enabled: true, allowedPolicy: async (ctx) => ctx.oidc.client?.clientId === 'gateway' },
      devInteractions: { enabled: false },
    },
  });
  handler = provider.callback() as typeof handler;
});

afterAll(async () => {
  authorizationServer.closeAllConnections();
  authorizationServer.close();
});

/** A client-credentials access token of `clientId` for `scope`. */
async function tokenFor(clientId: string, scope: string): Promise<string> {
  const response = await request(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientId}-secret`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
  });
  const body = (await response.body.json()) as { access_token?: string };
  if (response.statusCode !== 200 || body.access_token === undefined) {
    throw new Error(`token endpoint answered ${response.statusCode}: ${JSON.stringify(body)}`);
  }
  return body.access_token;
}

const json = { accept: 'application/json' };

async function gatewayWithOAuth2Plan(planConfiguration: JsonObject, resources?: JsonObject[]) {
  const upstream = await echoUpstream(cleanups);
  const definition = snapshot({ id: 'oauth-api', paths: [{ path: '/oauth' }], targets: [upstream.url] });
  (definition.api as JsonObject).resources = resources ?? [
    {
      name: 'auth-server',
      type: 'oauth2',
      enabled: true,
      configuration: {
        authorizationServerUrl: issuer,
        introspectionEndpoint: '/token/introspection',
        introspectionEndpointMethod: 'POST',
        clientId: 'gateway',
        clientSecret: 'gateway-secret',
        useClientAuthorizationHeader: true,
        tokenIsSuppliedByFormUrlEncoded: true,
        tokenFormUrlEncodedName: 'token',
      },
    },
    { name: 'token-cache', type: 'cache', enabled: true, configuration: { timeToLiveSeconds: 60 } },
  ];
  (definition.plans as JsonObject[])[0] = {
    ...(definition.plans as JsonObject[])[0],
    id: 'oauth-plan',
    security: { type: 'OAUTH2', configuration: { oauthResource: 'auth-server', ...planConfiguration } },
  };
  const subscriptions = new SubscriptionRegistry();
  subscriptions.putSubscription({
    id: 'sub-1',
    environmentId: 'DEFAULT',
    apiId: 'oauth-api',
    planId: 'oauth-plan',
    applicationId: 'app-1',
    clientId: 'my-client',
    status: 'ACCEPTED',
    startingAt: undefined,
    endingAt: undefined,
  });
  const { port } = await startSecuredGateway(cleanups, { subscriptions, introspectionTimeoutMs: 2_000 }, definition);
  const call = async (token?: string) => {
    const answer = await send(port, {
      path: '/oauth/items',
      headers: token === undefined ? json : { ...json, authorization: `Bearer ${token}` },
    });
    return { status: answer.status, body: JSON.parse(answer.body.toString() || '{}') as JsonObject };
  };
  return { upstream, call };
}

describe('OAuth2 plans (RFC 7662 introspection against oidc-provider)', () => {
  it('serves an active token of a subscribed client; propagateAuthHeader false keeps the token from the upstream', async () => {
    const { call, upstream } = await gatewayWithOAuth2Plan({ propagateAuthHeader: false });
    const token = await tokenFor('my-client', 'read');
    expect((await call(token)).status).toBe(200);
    expect(upstream.requests[0]!.url).toBe('/items');
    expect(upstream.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('refuses an unknown token (401), a token of a client without subscription (401), no token (401)', async () => {
    const { call, upstream } = await gatewayWithOAuth2Plan({});
    expect(await call('not-a-token-the-server-issued')).toEqual({
      status: 401,
      body: { message: 'Unauthorized', http_status_code: 401 },
    });
    expect((await call(await tokenFor('other-client', 'read'))).status).toBe(401);
    expect((await call()).status).toBe(401);
    expect(upstream.requests).toHaveLength(0);
  });

  it('checks the required scopes: all of them in strict mode, one of them otherwise (403 when missing)', async () => {
    const strict = await gatewayWithOAuth2Plan({ checkRequiredScopes: true, requiredScopes: ['read', 'write'] });
    expect(await strict.call(await tokenFor('my-client', 'read'))).toEqual({
      status: 403,
      body: { message: 'Forbidden', http_status_code: 403 },
    });
    expect((await strict.call(await tokenFor('my-client', 'read write'))).status).toBe(200);
    const loose = await gatewayWithOAuth2Plan({
      checkRequiredScopes: true,
      requiredScopes: ['write', 'admin'],
      modeStrict: false,
    });
    expect((await loose.call(await tokenFor('my-client', 'write'))).status).toBe(200);
    expect((await loose.call(await tokenFor('my-client', 'read'))).status).toBe(403);
  });

  it('remembers active answers with a cache resource, and asks every time without one', async () => {
    const cached = await gatewayWithOAuth2Plan({ oauthCacheResource: 'token-cache' });
    const token = await tokenFor('my-client', 'read');
    const before = introspections;
    for (let i = 0; i < 3; i++) expect((await cached.call(token)).status).toBe(200);
    expect(introspections - before).toBe(1);
    const uncached = await gatewayWithOAuth2Plan({});
    const again = introspections;
    for (let i = 0; i < 3; i++) expect((await uncached.call(token)).status).toBe(200);
    expect(introspections - again).toBe(3);
  });

  it('answers 503 when the authorization server cannot be reached', async () => {
    const { call, upstream } = await gatewayWithOAuth2Plan({}, [
      {
        name: 'auth-server',
        type: 'oauth2',
        enabled: true,
        configuration: {
          authorizationServerUrl: 'http://127.0.0.1:9',
          introspectionEndpoint: '/introspect',
          clientId: 'gateway',
          clientSecret: 'gateway-secret',
        },
      },
    ]);
    expect(await call('any-token')).toEqual({
      status: 503,
      body: { message: 'Service Unavailable', http_status_code: 503 },
    });
    expect(upstream.requests).toHaveLength(0);
  });

  it('rejects a deployment whose OAuth2 plan names no resource', () => {
    const definition = snapshot({ id: 'bad', paths: [{ path: '/bad' }] });
    (definition.plans as JsonObject[])[0] = {
      ...(definition.plans as JsonObject[])[0],
      id: 'oauth-plan',
      security: { type: 'OAUTH2', configuration: { oauthResource: 'missing' } },
    };
    expect(
      () =>
        new ApiRuntime(
          { apiId: 'bad', environmentId: 'DEFAULT', deploymentId: 'd1', revision: 1, definition },
          pino({ level: 'silent' }),
          { security: { subscriptions: new SubscriptionRegistry() } },
        ),
    ).toThrow('plan [oauth-plan] (OAuth2): no enabled resource named [missing]');
  });
});
