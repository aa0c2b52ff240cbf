import { createPublicKey, createSecretKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryExecutionContext, instantiate, testFactoryContext } from '../testing/index.js';
import { ATTR_JWT_GENERATED } from './generate-jwt.js';
import { generateJwtPolicy } from './index.js';

const fixture = (name: string) => readFileSync(new URL(`../testing/fixtures/${name}`, import.meta.url), 'utf8');
const CLIENT_KEY = fixture('client-key.pem');
const CLIENT_CERT = fixture('client-cert.pem');
const OTHER_CERT = fixture('other-cert.pem');
const SECRET = 'a-secret-of-at-least-thirty-two-bytes!';

async function generate(
  configuration: Record<string, unknown>,
  init: ConstructorParameters<typeof InMemoryExecutionContext>[0] = {},
) {
  const exec = new InMemoryExecutionContext(init);
  await instantiate(generateJwtPolicy, configuration).onRequest!(exec);
  return exec;
}

const tokenOf = (exec: InMemoryExecutionContext) => exec.attributes.get(ATTR_JWT_GENERATED) as string;

afterEach(() => {
  vi.useRealTimers();
});

describe('generate-jwt', () => {
  it('signs an RS256 token with the standard claims into jwt.generated', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), toFake: ['Date'] });
    const exec = await generate({ content: CLIENT_KEY, kid: 'k1', expiresIn: 2, expiresInUnit: 'HOURS' });
    const token = tokenOf(exec);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: 'k1' });
    const { payload } = await jwtVerify(token, createPublicKey(CLIENT_KEY), {
      currentDate: new Date('2030-01-01T00:00:01Z'),
    });
    const iat = Date.parse('2030-01-01T00:00:00Z') / 1000;
    expect(payload).toEqual({
      iat,
      exp: iat + 7200,
      iss: 'urn://gravitee-api-gw',
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it.each([
    ['SECONDS', 30],
    ['MINUTES', 1800],
    ['DAYS', 30 * 86_400],
  ])('expiresInUnit %s', async (expiresInUnit, seconds) => {
    const { payload } = await jwtVerify(
      tokenOf(await generate({ content: CLIENT_KEY, expiresInUnit })),
      createPublicKey(CLIENT_KEY),
    );
    expect(payload.exp! - payload.iat!).toBe(seconds);
  });

  it('evaluates jti, audiences, subject, issuer and typed custom claims per request', async () => {
    const exec = await generate(
      {
        signature: 'HMAC_HS256',
        content: SECRET,
        id: "{#request.headers['X-Request-Id'][0]}",
        audiences: ["api-{#request.headers['X-Tenant'][0]}", 'static'],
        subject: "{#context.attributes['user']}",
        issuer: '',
        expiresIn: 0,
        customClaims: [
          { name: 'tenant', value: "{#request.headers['X-Tenant'][0]}" },
          { name: 'count', value: '{(2 + 3)}' },
          { name: 'flag', value: '{(true)}' },
          { name: 'tags', value: "{#request.headers['X-Tag']}" },
          { name: 'headers', value: '{#request.headers}' },
          { name: 'attrs', value: '{#context.attributes}' },
          { name: 'missing', value: "{#context.attributes['nope']}" },
          { name: 'iss', value: 'override' },
        ],
      },
      { headers: { 'X-Request-Id': 'req-1', 'X-Tenant': 'acme', 'X-Tag': ['a', 'b'] }, attributes: { user: 'alice' } },
    );
    const { payload, protectedHeader } = await jwtVerify(tokenOf(exec), createSecretKey(Buffer.from(SECRET)));
    expect(protectedHeader).toEqual({ alg: 'HS256' });
    expect(payload).toMatchObject({
      jti: 'req-1',
      aud: ['api-acme', 'static'],
      sub: 'alice',
      iss: 'override',
      tenant: 'acme',
      count: 5,
      flag: true,
      tags: ['a', 'b'],
      missing: null,
    });
    expect((payload.headers as Record<string, string[]>)['X-Tenant']).toEqual(['acme']);
    expect(payload.attrs).toEqual({ user: 'alice' });
    expect(payload.exp).toBeUndefined();
  });

  it('puts one audience as a string and falls back to a UUID for an empty jti', async () => {
    const exec = await generate({
      signature: 'HMAC_HS384',
      content: SECRET.repeat(2),
      audiences: ['one'],
      id: "{#request.headers['missing']}",
      subject: '',
    });
    const { payload, protectedHeader } = await jwtVerify(tokenOf(exec), createSecretKey(Buffer.from(SECRET.repeat(2))));
    expect(protectedHeader.alg).toBe('HS384');
    expect(payload.aud).toBe('one');
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.sub).toBeUndefined();
  });

  it('decodes a base64 secret with secretBase64Encoded', async () => {
    const secret = Buffer.alloc(64, 7);
    const exec = await generate({
      signature: 'HMAC_HS512',
      content: secret.toString('base64'),
      secretBase64Encoded: true,
    });
    expect((await jwtVerify(tokenOf(exec), createSecretKey(secret))).protectedHeader.alg).toBe('HS512');
  });

  it('adds the certificate chain as x5c, and accepts keyResolver PEM with an inline PEM', async () => {
    const exec = await generate({
      keyResolver: 'PEM',
      content: `${CLIENT_KEY}${CLIENT_CERT}${OTHER_CERT}`,
      x509CertificateChain: 'X5C',
    });
    const header = decodeProtectedHeader(tokenOf(exec));
    expect(header.x5c).toEqual([CLIENT_CERT, OTHER_CERT].map((p) => p.replace(/-----[^-]+-----|\s/g, '')));
  });

  it('signs with a PKCS#1 RSA key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pem).toContain('BEGIN RSA PRIVATE KEY');
    await expect(jwtVerify(tokenOf(await generate({ content: pem })), publicKey)).resolves.toBeDefined();
  });

  it('answers 500 GENERATE_JWT_FAILED when a claim cannot be evaluated', async () => {
    const exec = await generate({
      content: SECRET,
      signature: 'HMAC_HS256',
      customClaims: [{ name: 'x', value: "{#request.headers['nope'][0]}" }],
    });
    expect(exec.interruption).toMatchObject({ status: 500, key: 'GENERATE_JWT_FAILED' });
    expect(exec.interruption?.message).toMatch(/^Unable to generate JWT token: /);
    expect(exec.attributes.has(ATTR_JWT_GENERATED)).toBe(false);
  });

  it('warns that X5C is ignored with HMAC', () => {
    const ctx = testFactoryContext('generate-jwt');
    instantiate(generateJwtPolicy, { signature: 'HMAC_HS256', content: SECRET, x509CertificateChain: 'X5C' }, ctx);
    expect(ctx.logger.records.map((r) => r.level)).toEqual(['warn']);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ content: 'not a key' }, 'content: no PEM private key'],
    [
      { content: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' },
      'content: the private key cannot be read',
    ],
    [
      { content: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----' },
      'encrypted private keys are not supported',
    ],
    [
      {
        content: generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      },
      'RSA_RS256 needs an RSA key, not ec',
    ],
    [
      {
        content: generateKeyPairSync('rsa', { modulusLength: 1024 })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      },
      'RSA_RS256 needs a key of 2048 bits or more',
    ],
    [{ content: CLIENT_KEY, x509CertificateChain: 'X5C' }, 'content must hold the certificate chain'],
    [
      { content: `${CLIENT_KEY}${OTHER_CERT}`, x509CertificateChain: 'X5C' },
      'the first certificate does not match the private key',
    ],
    [
      {
        content: `${CLIENT_KEY}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----`,
        x509CertificateChain: 'X5C',
      },
      'a certificate cannot be read',
    ],
    [{ keyResolver: 'PEM', content: '/etc/keys/private.pem' }, 'keyResolver PEM with a file path'],
    [
      { keyResolver: 'JKS', content: '/etc/keys/store.jks', alias: 'a', storepass: 'p' },
      'keyResolver JKS reads a key store',
    ],
    [{ keyResolver: 'PKCS12', content: '/etc/keys/store.p12' }, 'keyResolver PKCS12 reads a key store'],
    [{ signature: 'HMAC_HS256', content: 'short' }, 'HMAC_HS256 needs a secret of 256 bits or more (got 40)'],
    [{ signature: 'HMAC_HS512', content: SECRET }, 'HMAC_HS512 needs a secret of 512 bits or more'],
  ])('refuses at deploy time: %o', (configuration, message) => {
    expect(() => instantiate(generateJwtPolicy, configuration)).toThrow(message);
  });

  it('refuses invalid configurations through the schema', () => {
    for (const bad of [
      {},
      { content: '' },
      { content: SECRET, signature: 'RSA_RS512' },
      { content: SECRET, keyResolver: 'FILE' },
      { content: SECRET, expiresIn: -1 },
      { content: SECRET, expiresIn: 1.5 },
      { content: SECRET, expiresInUnit: 'WEEKS' },
      { content: SECRET, x509CertificateChain: 'X5T' },
      { content: SECRET, audiences: 'a' },
      { content: SECRET, customClaims: [{ name: '', value: 'x' }] },
      { content: SECRET, customClaims: [{ name: 'a', value: '{#a.(}' }] },
      { content: SECRET, issuer: '{#request.(' },
    ])
      expect(() => instantiate(generateJwtPolicy, bad), JSON.stringify(bad)).toThrow('invalid configuration');
  });
});
