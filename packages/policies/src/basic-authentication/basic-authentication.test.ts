import { randomBytes, scryptSync } from 'node:crypto';
import type { PolicyResource } from '@apim/core';
import { describe, expect, it, vi } from 'vitest';
import { InMemoryExecutionContext, instantiate, testFactoryContext } from '../testing/index.js';
import { ATTR_USER, ATTR_USER_ROLES, parseBasicCredentials } from './basic-authentication.js';
import { basicAuthenticationPolicy } from './index.js';
import * as passwordHash from './password-hash.js';
import { parsePassword, verifyPassword } from './password-hash.js';
import { VerificationCache } from './verification-cache.js';

/** A scrypt hash in the management API's format, at the lowest accepted cost to keep tests fast. */
function scryptHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFC'), salt, 32, { N: 2 ** 10, r: 8, p: 1 });
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=10,r=8,p=1$${b64(salt)}$${b64(key)}`;
}

const inline = (name: string, users: unknown[], extra: Partial<PolicyResource> = {}): PolicyResource => ({
  name,
  type: 'auth-provider-inline-resource',
  enabled: true,
  configuration: { users },
  ...extra,
});

const RESOURCES = [
  inline('staff', [
    { username: 'alice', password: scryptHash('wonderland'), roles: ['admin', 'dev'] },
    { username: 'bob', password: 'builder' },
  ]),
  inline('partners', [
    { username: 'carol', password: scryptHash('s3cret') },
    { username: 'bob', password: 'other' },
  ]),
];

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

function setup(configuration: Record<string, unknown> = {}, resources: readonly PolicyResource[] = RESOURCES) {
  const ctx = testFactoryContext('basic-authentication', resources);
  const instance = instantiate(
    basicAuthenticationPolicy,
    { authenticationProviders: ['staff', 'partners'], ...configuration },
    ctx,
  );
  const run = async (authorization?: string | string[]) => {
    const exec = new InMemoryExecutionContext({
      headers: authorization === undefined ? {} : { Authorization: authorization },
    });
    await instance.onRequest!(exec);
    return exec;
  };
  return { ctx, run };
}

describe('parseBasicCredentials', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['Bearer abc', undefined],
    ['Basic', undefined],
    ['Basic ', undefined],
    ['Basic !!!!', undefined],
    ['Basic a', undefined],
    [basic('nocolon'), undefined],
    [basic(':password'), undefined],
    [basic('user:'), { username: 'user', password: '' }],
    [basic('user:pa:ss'), { username: 'user', password: 'pa:ss' }],
    [`bAsIc   ${Buffer.from('u:p').toString('base64')}  `, { username: 'u', password: 'p' }],
    [basic('üser:pässword'), { username: 'üser', password: 'pässword' }],
  ])('%s gives %o', (header, expected) => {
    expect(parseBasicCredentials(header)).toEqual(expected);
  });
});

describe('password hashes', () => {
  it('verifies scrypt and plain text passwords', async () => {
    expect(await verifyPassword('wonderland', parsePassword(scryptHash('wonderland'), 'p'))).toBe(true);
    expect(await verifyPassword('wonderlanD', parsePassword(scryptHash('wonderland'), 'p'))).toBe(false);
    expect(await verifyPassword('plain', parsePassword('plain', 'p'))).toBe(true);
    expect(await verifyPassword('plain ', parsePassword('plain', 'p'))).toBe(false);
  });

  it.each([
    ['$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', 'p: bcrypt hashes are not supported'],
    ['$2y$10$abc', 'bcrypt hashes are not supported'],
    ['$scrypt$ln=15,r=8$abc$def', 'p: malformed scrypt hash'],
    ['$scrypt$ln=25,r=8,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5', 'p: scrypt cost out of bounds'],
    ['$scrypt$ln=10,r=8,p=1$c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5', 'p: scrypt salt or hash too short'],
    ['$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$abc', 'p: unsupported password hash scheme'],
  ])('refuses %s', (stored, message) => {
    expect(() => parsePassword(stored, 'p')).toThrow(message);
  });
});

describe('verification cache', () => {
  it('expires entries and evicts the oldest beyond its bound', () => {
    let now = 0;
    const cache = new VerificationCache({ ttlMs: 100, maxEntries: 2, now: () => now });
    const [a, b, c] = ['a', 'b', 'c'].map((u) => cache.keyOf(u, 'pw'));
    expect(cache.keyOf('a', 'pw')).toBe(a);
    expect(cache.keyOf('a', 'pw2')).not.toBe(a);
    cache.add(a!);
    cache.add(b!);
    expect(cache.has(a!)).toBe(true); // refreshes a: b is now the oldest
    cache.add(c!);
    expect(cache.size).toBe(2);
    expect(cache.has(b!)).toBe(false);
    expect(cache.has(a!)).toBe(true);
    now = 100;
    expect(cache.has(a!)).toBe(false);
    expect(cache.size).toBe(1);
  });
});

describe('basic-authentication', () => {
  it('accepts a scrypt user, sets the user and roles attributes, and forwards the Authorization header', async () => {
    const exec = await setup().run(basic('alice:wonderland'));
    expect(exec.interruption).toBeUndefined();
    expect(exec.attributes.get(ATTR_USER)).toBe('alice');
    expect(exec.attributes.get(ATTR_USER_ROLES)).toEqual(['admin', 'dev']);
    expect(exec.request.headers.getFirst('authorization')).toBe(basic('alice:wonderland'));
  });

  it('matches user names case-insensitively, as Gravitee, and keeps the presented name', async () => {
    const exec = await setup().run(basic('ALICE:wonderland'));
    expect(exec.interruption).toBeUndefined();
    expect(exec.attributes.get(ATTR_USER)).toBe('ALICE');
  });

  it('tries the providers in order: a user refused by one may be accepted by the next', async () => {
    const { run } = setup();
    expect((await run(basic('bob:builder'))).interruption).toBeUndefined();
    const second = await run(basic('bob:other'));
    expect(second.interruption).toBeUndefined();
    expect(second.attributes.has(ATTR_USER_ROLES)).toBe(false);
    expect((await run(basic('carol:s3cret'))).interruption).toBeUndefined();
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Bearer token'],
    ['bad base64', 'Basic @@@'],
    ['no password', basic('alice')],
    ['wrong password', basic('alice:wonder')],
    ['unknown user', basic('mallory:wonderland')],
    ['empty password', basic('bob:')],
  ])('answers 401 with the realm for %s', async (_, authorization) => {
    const exec = await setup({ realm: 'staff-api' }).run(authorization);
    expect(exec.interruption).toMatchObject({
      status: 401,
      key: 'BASIC_AUTHENTICATION_UNAUTHORIZED',
      message: 'Unauthorized',
      headers: { 'WWW-Authenticate': 'Basic realm="staff-api"' },
    });
    expect(exec.attributes.has(ATTR_USER)).toBe(false);
  });

  it("uses Gravitee's default realm", async () => {
    expect((await setup().run()).interruption?.headers).toEqual({ 'WWW-Authenticate': 'Basic realm="gravitee.io"' });
    expect((await setup({ realm: '  ' }).run()).interruption?.headers).toEqual({
      'WWW-Authenticate': 'Basic realm="gravitee.io"',
    });
  });

  it('caches successful scrypt verifications only', async () => {
    const spy = vi.spyOn(passwordHash, 'verifyPassword');
    try {
      const { run } = setup();
      await run(basic('alice:wonderland'));
      await run(basic('alice:wonderland'));
      await run(basic('alice:wrong'));
      await run(basic('alice:wrong'));
      await run(basic('bob:builder'));
      await run(basic('bob:builder'));
      const scryptCalls = spy.mock.calls.filter(([, v]) => v.kind === 'scrypt').map(([p]) => p);
      expect(scryptCalls).toEqual(['wonderland', 'wrong', 'wrong']);
    } finally {
      spy.mockRestore();
    }
  });

  it('warns at deploy time about plain-text passwords', () => {
    const { ctx } = setup();
    expect(ctx.logger.records.filter((r) => r.level === 'warn').map((r) => r.msg)).toEqual([
      "basic-authentication: resource 'staff' holds 1 plain-text password(s); prefer scrypt hashes",
      "basic-authentication: resource 'partners' holds 1 plain-text password(s); prefer scrypt hashes",
    ]);
  });

  it.each([
    [
      { authenticationProviders: ['nope'] },
      RESOURCES,
      "authenticationProviders[0]: the API has no resource named 'nope'",
    ],
    [{}, [inline('staff', [], { enabled: false }), RESOURCES[1]!], "the resource 'staff' is disabled"],
    [
      {},
      [inline('staff', [], { type: 'auth-provider-ldap-resource' }), RESOURCES[1]!],
      "the resource 'staff' has type 'auth-provider-ldap-resource'; only auth-provider-inline-resource is supported",
    ],
    [{}, [{ ...inline('staff', []), configuration: {} }, RESOURCES[1]!], "resource 'staff': users must be a list"],
    [{}, [inline('staff', ['x']), RESOURCES[1]!], "resource 'staff': users[0] must be an object"],
    [{}, [inline('staff', [{ password: 'x' }]), RESOURCES[1]!], 'users[0].username must be a non-empty string'],
    [
      {},
      [inline('staff', [{ username: 'a:b', password: 'x' }]), RESOURCES[1]!],
      "users[0].username must not contain ':'",
    ],
    [{}, [inline('staff', [{ username: 'a' }]), RESOURCES[1]!], 'users[0].password must be a non-empty string'],
    [
      {},
      [inline('staff', [{ username: 'a', password: "{#properties['pw']}" }]), RESOURCES[1]!],
      'users[0].password: EL expressions are not supported',
    ],
    [
      {},
      [inline('staff', [{ username: 'a', password: 'x', roles: 'admin' }]), RESOURCES[1]!],
      'users[0].roles must be a list of strings',
    ],
    [
      {},
      [inline('staff', [{ username: 'a', password: '$2b$10$abcdefghijklmnopqrstuv' }]), RESOURCES[1]!],
      "resource 'staff': users[0].password: bcrypt hashes are not supported",
    ],
  ])('refuses at deploy time: %o', (configuration, resources, message) => {
    expect(() => setup(configuration, resources)).toThrow(message);
  });

  it('refuses invalid configurations through the schema', () => {
    const ctx = testFactoryContext('basic-authentication', RESOURCES);
    for (const bad of [
      {},
      { authenticationProviders: [] },
      { authenticationProviders: 'staff' },
      { authenticationProviders: [''] },
      { authenticationProviders: ['staff'], realm: 'a"b' },
      { authenticationProviders: ['staff'], realm: 42 },
    ])
      expect(() => instantiate(basicAuthenticationPolicy, bad, ctx), JSON.stringify(bad)).toThrow(
        'invalid configuration',
      );
  });

  it('refuses a named provider when the gateway gives no resources', () => {
    expect(() =>
      basicAuthenticationPolicy.create(
        { authenticationProviders: ['staff'], realm: 'r' },
        { policyId: 'basic-authentication', logger: testFactoryContext().logger },
      ),
    ).toThrow("no resource named 'staff'");
  });
});
