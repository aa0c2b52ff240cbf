/**
 * JWT plans on the request path: real keys of every supported family, tokens signed with jose, a JWKS served over
 * HTTP, a real upstream. The subscription is found by the token's client id, then the signature and dates are checked.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '@apim/core';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiRuntime } from '../src/index.js';
import type { PlanSecurityOptions } from '../src/plan-resolver.js';
import { SubscriptionRegistry } from '../src/security/subscription-registry.js';
import { callerHeaderFlow, send, snapshot } from './helpers.js';
import { cleanupList, echoUpstream, startSecuredGateway } from './server-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

const json = { accept: 'application/json' };

/** A gateway serving `/jwt` with one JWT plan (`jwt-plan`) whose subscription belongs to client `my-client`. */
async function gatewayWithJwtPlan(
  configuration: JsonObject,
  options: Partial<PlanSecurityOptions> = {},
  flows?: JsonObject[],
) {
  const upstream = await echoUpstream(cleanups);
  const definition = snapshot({ id: 'jwt-api', paths: [{ path: '/jwt' }], targets: [upstream.url] });
  (definition.plans as JsonObject[])[0] = {
    ...(definition.plans as JsonObject[])[0],
    id: 'jwt-plan',
    security: { type: 'JWT', configuration },
  };
  if (flows !== undefined) (definition.api as JsonObject).flows = flows;
  const subscriptions = new SubscriptionRegistry();
  subscriptions.putSubscription({
    id: 'sub-1',
    environmentId: 'DEFAULT',
    apiId: 'jwt-api',
    planId: 'jwt-plan',
    applicationId: 'app-1',
    clientId: 'my-client',
    status: 'ACCEPTED',
    startingAt: undefined,
    endingAt: undefined,
  });
  const { port } = await startSecuredGateway(cleanups, { subscriptions, ...options }, definition);
  const call = (token?: string, path = '/jwt') =>
    send(port, { path, headers: token === undefined ? json : { ...json, authorization: `Bearer ${token}` } });
  return { upstream, call };
}

type Signer = { alg: string; key: Parameters<SignJWT['sign']>[0] };

function sign(signer: Signer, claims: JWTPayload = {}, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ azp: 'my-client', sub: 'user-42', ...claims })
    .setProtectedHeader({ alg: signer.alg, ...header })
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? '5m')
    .sign(signer.key);
}

describe('JWT plans: algorithms with GIVEN_KEY', () => {
  it.each([
    ['RSA_RS256', 'RS256'],
    ['RSA_PS384', 'PS384'],
    ['ECDSA_ES256', 'ES256'],
    ['EDDSA', 'EdDSA'],
  ])('%s: a token signed by the key is served, one signed by another key is refused', async (signature, alg) => {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const other = await generateKeyPair(alg);
    const { upstream, call } = await gatewayWithJwtPlan({
      signature,
      publicKeyResolver: 'GIVEN_KEY',
      resolverParameter: await exportSPKI(publicKey),
    });
    const good = await call(await sign({ alg, key: privateKey }));
    expect(good.status).toBe(200);
    const forged = await call(await sign({ alg, key: other.privateKey }));
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body.toString())).toEqual({ message: 'Unauthorized', http_status_code: 401 });
    expect(upstream.requests).toHaveLength(1);
  });

  it('HMAC_HS256 with a shared secret; a token using another algorithm is refused', async () => {
    const secret = 'a-shared-secret-of-at-least-32-bytes!!';
    const { call } = await gatewayWithJwtPlan({
      signature: 'HMAC_HS256',
      publicKeyResolver: 'GIVEN_KEY',
      resolverParameter: secret,
    });
    const key = new TextEncoder().encode(secret);
    expect((await call(await sign({ alg: 'HS256', key }))).status).toBe(200);
    expect((await call(await sign({ alg: 'HS512', key }))).status).toBe(401);
  });
});

describe('JWT plans: claims and dates', () => {
  const secret = 'another-shared-secret-of-32-bytes-min';
  const key = new TextEncoder().encode(secret);
  const hs = { alg: 'HS256', key };
  const base = { signature: 'HMAC_HS256', publicKeyResolver: 'GIVEN_KEY', resolverParameter: secret };
  const now = () => Math.floor(Date.now() / 1000);

  it('checks exp and nbf with the clock skew, and iss and aud when configured', async () => {
    const { call } = await gatewayWithJwtPlan({
      ...base,
      issuer: 'https://idp.example.com',
      audience: 'orders',
      clockSkew: 30,
    });
    const claims = { iss: 'https://idp.example.com', aud: 'orders', azp: 'my-client' };
    expect((await call(await sign(hs, claims))).status).toBe(200);
    expect((await call(await sign(hs, { ...claims, exp: now() - 10 }))).status).toBe(200); // within the skew
    expect((await call(await sign(hs, { ...claims, exp: now() - 120 }))).status).toBe(401);
    expect((await call(await sign(hs, { ...claims, nbf: now() + 120 }))).status).toBe(401);
    expect((await call(await sign(hs, { ...claims, iss: 'https://evil.example.com' }))).status).toBe(401);
    expect((await call(await sign(hs, { ...claims, aud: 'billing' }))).status).toBe(401);
  });

  it('finds the subscription by client id (azp, aud, client_id or the configured claim)', async () => {
    const { call } = await gatewayWithJwtPlan({ ...base });
    expect((await call(await sign(hs, { azp: undefined, aud: 'my-client' }))).status).toBe(200);
    expect((await call(await sign(hs, { azp: undefined, client_id: 'my-client' }))).status).toBe(200);
    const unknown = await call(await sign(hs, { azp: 'someone-else' }));
    expect(unknown.status).toBe(401);
    const custom = await gatewayWithJwtPlan({ ...base, clientIdClaim: 'app' });
    expect((await custom.call(await sign(hs, { azp: 'someone-else', app: 'my-client' }))).status).toBe(200);
  });

  it('refuses requests without a token or with a malformed one, reaching no upstream', async () => {
    const { call, upstream } = await gatewayWithJwtPlan({ ...base });
    for (const token of [undefined, 'not-a-jwt', 'a.b.c']) {
      const answer = await call(token);
      expect(answer.status).toBe(401);
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('gives flows the claims, the user and the client id; propagates Authorization unless told not to', async () => {
    const flows = callerHeaderFlow(
      "{#context.attributes['user-id']}/{#context.attributes['jwt.claims']['scope']}/{#context.attributes['oauth.client_id']}/{#context.attributes['application']}",
    );
    const kept = await gatewayWithJwtPlan({ ...base, extractClaims: true }, {}, flows);
    const token = await sign(hs, { scope: 'read' });
    expect((await kept.call(token)).status).toBe(200);
    expect(kept.upstream.requests[0]!.headers['x-caller']).toBe('user-42/read/my-client/app-1');
    expect(kept.upstream.requests[0]!.headers.authorization).toBe(`Bearer ${token}`);
    const stripped = await gatewayWithJwtPlan({ ...base, propagateAuthHeader: false });
    expect((await stripped.call(token)).status).toBe(200);
    expect(stripped.upstream.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('JWT plans: key resolvers', () => {
  it('JWKS_URL: keys fetched by kid, fetched again for an unknown kid after the cool-down', async () => {
    const first = await generateKeyPair('RS256', { extractable: true });
    const second = await generateKeyPair('RS256', { extractable: true });
    const keys: JWK[] = [{ ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }];
    let fetches = 0;
    const jwks = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    jwks.listen(0, '127.0.0.1');
    await once(jwks, 'listening');
    cleanups.add(async () => {
      jwks.closeAllConnections();
      jwks.close();
    });
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    const { call } = await gatewayWithJwtPlan(
      { signature: 'RSA_RS256', publicKeyResolver: 'JWKS_URL', resolverParameter: url },
      { jwksCooldownMs: 200 },
    );
    const byFirst = await sign({ alg: 'RS256', key: first.privateKey }, {}, { kid: 'k1' });
    expect((await call(byFirst)).status).toBe(200);
    expect((await call(byFirst)).status).toBe(200);
    expect(fetches).toBe(1);
    // Rotation: the issuer publishes k2; a k2 token is refused until the JWKS is fetched again.
    keys.push({ ...(await exportJWK(second.publicKey)), kid: 'k2', alg: 'RS256', use: 'sig' });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const bySecond = await sign({ alg: 'RS256', key: second.privateKey }, {}, { kid: 'k2' });
    expect((await call(bySecond)).status).toBe(200);
    expect(fetches).toBe(2);
    const unknownKid = await sign({ alg: 'RS256', key: second.privateKey }, {}, { kid: 'k9' });
    expect((await call(unknownKid)).status).toBe(401);
  });

  it('GATEWAY_KEYS: the key configured on the gateway for the issuer and kid', async () => {
    const idp = await generateKeyPair('ES256', { extractable: true });
    const { call } = await gatewayWithJwtPlan(
      { signature: 'ECDSA_ES256', publicKeyResolver: 'GATEWAY_KEYS' },
      { jwtKeys: [{ issuer: 'https://idp.example.com', kid: 'main', key: await exportSPKI(idp.publicKey) }] },
    );
    const signer = { alg: 'ES256', key: idp.privateKey };
    expect((await call(await sign(signer, { iss: 'https://idp.example.com' }, { kid: 'main' }))).status).toBe(200);
    expect((await call(await sign(signer, { iss: 'https://other.example.com' }, { kid: 'main' }))).status).toBe(401);
    expect((await call(await sign(signer, { iss: 'https://idp.example.com' }, { kid: 'old' }))).status).toBe(401);
  });

  it('rejects a deployment whose JWT plan cannot be used', () => {
    const definition = snapshot({ id: 'bad', paths: [{ path: '/bad' }] });
    (definition.plans as JsonObject[])[0] = {
      ...(definition.plans as JsonObject[])[0],
      id: 'jwt-plan',
      security: {
        type: 'JWT',
        configuration: { signature: 'RSA_RS256', publicKeyResolver: 'JWKS_URL', resolverParameter: 'not a url' },
      },
    };
    expect(
      () =>
        new ApiRuntime(
          { apiId: 'bad', environmentId: 'DEFAULT', deploymentId: 'd1', revision: 1, definition },
          pino({ level: 'silent' }),
          { security: { subscriptions: new SubscriptionRegistry() } },
        ),
    ).toThrow('plan [jwt-plan] (JWT): publicKeyResolver JWKS_URL needs an absolute URL');
  });
});
