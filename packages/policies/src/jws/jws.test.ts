import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type CompactJWSHeaderParameters, CompactSign } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import { jwsPolicy } from './index.js';
import { importPublicKeys } from './public-keys.js';

const fixture = (name: string) => readFileSync(new URL(`../testing/fixtures/${name}`, import.meta.url), 'utf8');
const CLIENT_KEY = createPrivateKey(fixture('client-key.pem'));
const CLIENT_CERT = fixture('client-cert.pem');
const OTHER_KEY = createPrivateKey(fixture('other-key.pem'));
const OTHER_CERT = fixture('other-cert.pem');
const PUBLIC_PEM = createPublicKey(CLIENT_KEY).export({ type: 'spki', format: 'pem' }).toString();
const x5cOf = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');

const sign = (
  payload: unknown,
  header: Partial<CompactJWSHeaderParameters> = {},
  key = CLIENT_KEY,
  cert: string | null = CLIENT_CERT,
) =>
  new CompactSign(Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'RS256', ...(cert === null ? {} : { x5c: [x5cOf(cert)] }), ...header })
    .sign(key);

async function run(body: string, configuration: Record<string, unknown> = {}) {
  const exec = new InMemoryExecutionContext({ method: 'POST', body, headers: { 'Content-Type': 'application/jose' } });
  await instantiate(jwsPolicy, { publicKeys: [{ publicKey: PUBLIC_PEM }], ...configuration }).onRequest!(exec);
  return exec;
}

const outcome = (exec: InMemoryExecutionContext) =>
  exec.interruption === undefined ? 'pass' : `${exec.interruption.status} ${exec.interruption.key}`;

afterEach(() => {
  vi.useRealTimers();
});

describe('jws', () => {
  it('replaces a valid JWS body with its JSON payload', async () => {
    const exec = await run(`${await sign({ order: 42, exp: Date.now() / 1000 + 60 }, { typ: 'JOSE', cty: 'json' })}\n`);
    expect(outcome(exec)).toBe('pass');
    expect(JSON.parse(exec.request.currentBody.toString())).toMatchObject({ order: 42 });
    expect(exec.request.headers.getFirst('content-type')).toBe('application/json');
  });

  it.each([
    ['JOSE+JSON', 'application/json'],
    ['json', 'JSON'],
    ['', ''],
  ])('accepts typ %j and cty %j', async (typ, cty) => {
    expect(outcome(await run(await sign({ a: 1 }, { typ, cty })))).toBe('pass');
  });

  it('picks the key by kid, default without one', async () => {
    const other = createPublicKey(OTHER_KEY).export({ type: 'spki', format: 'pem' }).toString();
    const config = { publicKeys: [{ publicKey: PUBLIC_PEM }, { kid: 'partner', publicKey: other }] };
    expect(outcome(await run(await sign({ a: 1 }, { kid: 'partner' }, OTHER_KEY, OTHER_CERT), config))).toBe('pass');
    expect(outcome(await run(await sign({ a: 1 }, {}), config))).toBe('pass');
    expect(outcome(await run(await sign({ a: 1 }, {}, OTHER_KEY, OTHER_CERT), config))).toBe('401 JWS_INVALID');
    expect(outcome(await run(await sign({ a: 1 }, { kid: 'unknown' }), config))).toBe('401 JWS_INVALID');
  });

  it('accepts keys given as a certificate or an ssh-rsa key', async () => {
    const jws = await sign({ a: 1 });
    expect(outcome(await run(jws, { publicKeys: [{ publicKey: CLIENT_CERT }] }))).toBe('pass');
    const jwk = createPublicKey(CLIENT_KEY).export({ format: 'jwk' });
    const field = (b: Buffer) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(b.length);
      return Buffer.concat([length, b]);
    };
    const n = Buffer.from(jwk.n!, 'base64url');
    const ssh = Buffer.concat([
      field(Buffer.from('ssh-rsa')),
      field(Buffer.from(jwk.e!, 'base64url')),
      field(Buffer.concat([Buffer.from([0]), n])),
    ]).toString('base64');
    expect(outcome(await run(jws, { publicKeys: [{ publicKey: `ssh-rsa ${ssh} me@host` }] }))).toBe('pass');
  });

  it.each<[string, () => Promise<string>]>([
    ['an empty body', async () => ''],
    ['a body that is not a JWS', async () => '{"a":1}'],
    ['a JWT in JSON serialization', async () => JSON.stringify({ payload: 'x', signature: 'y' })],
    ['a typ of JWT', () => sign({ a: 1 }, { typ: 'JWT' })],
    ['a cty of text/plain', () => sign({ a: 1 }, { cty: 'text/plain' })],
    ['no x5c', () => sign({ a: 1 }, {}, CLIENT_KEY, null)],
    ['an empty x5c', () => sign({ a: 1 }, { x5c: [] })],
    ['an unreadable x5c', () => sign({ a: 1 }, { x5c: ['AAAA'] })],
    ['an x5c of another key', () => sign({ a: 1 }, {}, CLIENT_KEY, OTHER_CERT)],
    ['a signature by another key', () => sign({ a: 1 }, {}, OTHER_KEY, CLIENT_CERT)],
    [
      'a tampered payload',
      async () => {
        const [h, , s] = (await sign({ a: 1 })).split('.');
        return `${h}.${Buffer.from('{"a":2}').toString('base64url')}.${s}`;
      },
    ],
    ['a payload that is not JSON', () => sign('plain text')],
    ['a JSON payload that is not an object', () => sign([1, 2])],
    ['an expired JWS', () => sign({ a: 1, exp: Date.now() / 1000 - 1 })],
    ['a JWS not valid yet', () => sign({ a: 1, nbf: Date.now() / 1000 + 60 })],
  ])('refuses %s with 401 JWS_INVALID', async (_, body) => {
    const exec = await run(await body());
    expect(exec.interruption).toEqual({ status: 401, key: 'JWS_INVALID', message: 'Unauthorized' });
  });

  it('refuses an HMAC-signed JWS', async () => {
    const jws = await new CompactSign(Buffer.from('{}'))
      .setProtectedHeader({ alg: 'HS256', x5c: [x5cOf(CLIENT_CERT)] })
      .sign(Buffer.alloc(32, 1));
    expect(outcome(await run(jws))).toBe('401 JWS_INVALID');
  });

  it('checks the certificate dates with checkCertificateValidity', async () => {
    const jws = await sign({ a: 1 });
    vi.useFakeTimers({ now: new Date('2001-01-01T00:00:00Z'), toFake: ['Date'] });
    expect(outcome(await run(jws, { checkCertificateValidity: true }))).toBe('401 JWS_INVALID');
    expect(outcome(await run(jws))).toBe('pass');
    vi.setSystemTime(new Date('2300-01-01T00:00:00Z'));
    expect(outcome(await run(jws, { checkCertificateValidity: true }))).toBe('401 JWS_INVALID');
    vi.useRealTimers();
    expect(outcome(await run(jws, { checkCertificateValidity: true }))).toBe('pass');
  });

  it('refuses bad configurations at deploy time', () => {
    const ok = { publicKeys: [{ publicKey: PUBLIC_PEM }] };
    expect(() => instantiate(jwsPolicy, {})).toThrow('publicKeys: at least one key is required');
    expect(() => instantiate(jwsPolicy, { ...ok, checkCertificateRevocation: true })).toThrow(
      'checkCertificateRevocation is not supported',
    );
    expect(() => instantiate(jwsPolicy, { publicKeys: [{ publicKey: 'junk' }] })).toThrow(
      'publicKeys[0]: not a PEM public key, certificate or ssh-rsa key',
    );
    expect(() => instantiate(jwsPolicy, { publicKeys: [{ publicKey: 'ssh-rsa AAAA' }] })).toThrow('publicKeys[0]');
    expect(() => instantiate(jwsPolicy, { publicKeys: [{ publicKey: 'ssh-dss AAAA' }] })).toThrow('publicKeys[0]');
    expect(() =>
      instantiate(jwsPolicy, { publicKeys: [{ publicKey: PUBLIC_PEM }, { kid: 'default', publicKey: PUBLIC_PEM }] }),
    ).toThrow("publicKeys[1]: kid 'default' is listed twice");
    for (const bad of [
      { ...ok, checkCertificateValidity: 'yes' },
      { publicKeys: [{ kid: 'a' }] },
      { publicKeys: [{ publicKey: '' }] },
      { publicKeys: 'x' },
    ])
      expect(() => instantiate(jwsPolicy, bad), JSON.stringify(bad)).toThrow('invalid configuration');
  });

  it('refuses a private key given as a public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => importPublicKeys([{ kid: 'default', publicKey: pem }])).toThrow(
      'publicKeys[0]: a private key was given',
    );
    const spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(importPublicKeys([{ kid: 'default', publicKey: spki }]).get('default')?.asymmetricKeyType).toBe('ec');
  });
});
