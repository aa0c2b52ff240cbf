import { readFileSync } from 'node:fs';
import type { PolicySsl } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate, testFactoryContext } from '../testing/index.js';
import { compileDnPattern, dnMatches, parseDn } from './distinguished-name.js';
import { sslEnforcementPolicy } from './index.js';
import { certificateOfHeader } from './ssl-enforcement.js';

const fixture = (name: string) => readFileSync(new URL(`../testing/fixtures/${name}`, import.meta.url), 'utf8');
const CLIENT_PEM = fixture('client-cert.pem');
const OTHER_PEM = fixture('other-cert.pem');
const derOf = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

const session = (pem: string | undefined, clientAuthorized = true, subject = ''): PolicySsl => ({
  clientAuthorized,
  clientCertificate:
    pem === undefined ? undefined : { subject, issuer: subject, fingerprint256: `fp-${pem.length}`, raw: derOf(pem) },
});

const run = (configuration: unknown, init: { ssl?: PolicySsl; headers?: Record<string, string> } = {}) => {
  const exec = new InMemoryExecutionContext(init);
  instantiate(sslEnforcementPolicy, configuration).onRequest!(exec);
  return exec.interruption === undefined ? 'pass' : `${exec.interruption.status} ${exec.interruption.key}`;
};

const CLIENT_DN = 'CN=client.example.com,OU=Dev,O=Example Corp,C=FR';

describe('distinguished names', () => {
  it('parses RFC 4514 names with escapes, OIDs, aliases and multi-valued RDNs', () => {
    expect(parseDn('CN=Client ,  O=Example\\, Inc.+OU=Dev;2.5.4.6=FR,E=a@b.c,OID.2.5.4.7=Paris')).toEqual([
      { type: 'CN', value: 'client' },
      { type: 'O', value: 'example, inc.' },
      { type: 'OU', value: 'dev' },
      { type: 'C', value: 'fr' },
      { type: 'EMAILADDRESS', value: 'a@b.c' },
      { type: 'L', value: 'paris' },
    ]);
    expect(parseDn('CN=caf\\c3\\a9  du   coin,O=a\\+b\\\\c')).toEqual([
      { type: 'CN', value: 'café du coin' },
      { type: 'O', value: 'a+b\\c' },
    ]);
  });

  it.each(['CN', 'CN=a,,O=b', '=a', 'C N=a', ''])('refuses %j', (dn) => {
    expect(() => parseDn(dn)).toThrow('is not a type=value attribute');
  });

  it.each([
    ['CN=client.example.com,OU=Dev,O=Example Corp,C=FR', true],
    ['C=FR,O=Example Corp,OU=Dev,CN=client.example.com', true],
    ['cn=CLIENT.example.com, ou=dev, o=example   corp, c=fr', true],
    ['CN=*.example.com,OU=*,O=Example*,C=??', true],
    ['CN=client.example.com,OU=Dev,O=Example Corp,C=???', false],
    ['CN=client.example.com,OU=Dev,O=Example Corp', false],
    ['CN=client.example.com,OU=Dev,O=Example Corp,C=FR,L=Paris', false],
    ['CN=client.example.com,OU=Dev,O=Example Corp,L=FR', false],
    ['CN=client.*,OU=Dev,O=Example Corp,C=FR', true],
  ])('%s matches the client: %s', (pattern, expected) => {
    expect(dnMatches(compileDnPattern(pattern), parseDn(CLIENT_DN))).toBe(expected);
  });

  it('Ant wildcards: * and ? stop at /, ** does not; regex characters are literal', () => {
    const subject = (cn: string) => [{ type: 'CN', value: cn }];
    expect(dnMatches(compileDnPattern('CN=a*'), subject('a/b'))).toBe(false);
    expect(dnMatches(compileDnPattern('CN=a**'), subject('a/b'))).toBe(true);
    expect(dnMatches(compileDnPattern('CN=a?c'), subject('a/c'))).toBe(false);
    expect(dnMatches(compileDnPattern('CN=a.c'), subject('abc'))).toBe(false);
    expect(dnMatches(compileDnPattern('CN=(a)'), subject('(a)'))).toBe(true);
  });
});

describe('certificateOfHeader', () => {
  const der = derOf(CLIENT_PEM);
  it.each([
    ['a URL-encoded PEM', encodeURIComponent(CLIENT_PEM)],
    ['a PEM', CLIENT_PEM],
    ['a PEM folded on one line', CLIENT_PEM.replaceAll('\n', ' ')],
    ['base64 DER', der.toString('base64')],
  ])('reads %s', (_, value) => {
    expect(certificateOfHeader(value).equals(der)).toBe(true);
  });

  it('does not throw on a bad URL encoding', () => {
    expect(() => certificateOfHeader('%E0%A4%A')).not.toThrow();
  });
});

describe('ssl-enforcement', () => {
  it('requires TLS by default: 403 SSL_ENFORCEMENT_SSL_REQUIRED over cleartext', () => {
    const exec = new InMemoryExecutionContext();
    instantiate(sslEnforcementPolicy, {}).onRequest!(exec);
    expect(exec.interruption).toMatchObject({
      status: 403,
      key: 'SSL_ENFORCEMENT_SSL_REQUIRED',
      message: 'Access to the resource requires SSL certificate.',
    });
    expect(run({}, { ssl: session(undefined) })).toBe('pass');
    expect(run({ requiresSsl: false })).toBe('pass');
  });

  it('requires a trusted client certificate with requiresClientAuthentication', () => {
    const config = { requiresClientAuthentication: true };
    expect(run(config, { ssl: session(CLIENT_PEM) })).toBe('pass');
    expect(run(config, { ssl: session(undefined) })).toBe('401 SSL_ENFORCEMENT_AUTHENTICATION_REQUIRED');
    expect(run(config, { ssl: session(CLIENT_PEM, false) })).toBe('401 SSL_ENFORCEMENT_AUTHENTICATION_REQUIRED');
    expect(run(config)).toBe('403 SSL_ENFORCEMENT_SSL_REQUIRED');
  });

  it('enforces client authentication over cleartext too when requiresSsl is false (stricter than Gravitee)', () => {
    expect(run({ requiresSsl: false, requiresClientAuthentication: true })).toBe(
      '401 SSL_ENFORCEMENT_AUTHENTICATION_REQUIRED',
    );
  });

  it('checks the subject against the whitelist: 403 SSL_ENFORCEMENT_CLIENT_FORBIDDEN otherwise', () => {
    const config = {
      requiresClientAuthentication: true,
      whitelistClientCertificates: ['CN=nobody', 'CN=*.example.com,OU=Dev,O=Example*,C=FR'],
    };
    expect(run(config, { ssl: session(CLIENT_PEM) })).toBe('pass');
    expect(run(config, { ssl: session(OTHER_PEM) })).toBe('403 SSL_ENFORCEMENT_CLIENT_FORBIDDEN');
  });

  it('falls back to the session subject text when the DER cannot be read', () => {
    const config = { requiresClientAuthentication: true, whitelistClientCertificates: ['CN=client,O=Acme'] };
    const broken = (subject: string): PolicySsl => ({
      clientAuthorized: true,
      clientCertificate: { subject, issuer: '', fingerprint256: subject, raw: Buffer.from('junk') },
    });
    expect(run(config, { ssl: broken('CN=client,O=Acme') })).toBe('pass');
    expect(run(config, { ssl: broken('CN=client,O=Other') })).toBe('403 SSL_ENFORCEMENT_CLIENT_FORBIDDEN');
    expect(run(config, { ssl: broken('garbage') })).toBe('401 SSL_ENFORCEMENT_AUTHENTICATION_REQUIRED');
  });

  it('ignores the whitelist without requiresClientAuthentication, as Gravitee, and warns at deploy time', () => {
    const ctx = testFactoryContext('ssl-enforcement');
    const instance = instantiate(sslEnforcementPolicy, { whitelistClientCertificates: ['CN=nobody'] }, ctx);
    const exec = new InMemoryExecutionContext({ ssl: session(OTHER_PEM) });
    instance.onRequest!(exec);
    expect(exec.interruption).toBeUndefined();
    expect(ctx.logger.records.map((r) => r.level)).toEqual(['warn']);
  });

  it('reads the certificate from a header with certificateLocation HEADER', () => {
    const config = {
      requiresSsl: false,
      requiresClientAuthentication: true,
      certificateLocation: 'HEADER',
      certificateHeaderName: 'X-Client-Cert',
      whitelistClientCertificates: ['CN=client.example.com,OU=Dev,O=Example Corp,C=FR'],
    };
    const header = (pem: string) => ({ headers: { 'x-client-cert': encodeURIComponent(pem) } });
    expect(run(config, header(CLIENT_PEM))).toBe('pass');
    expect(run(config, header(CLIENT_PEM))).toBe('pass');
    expect(run(config, header(OTHER_PEM))).toBe('403 SSL_ENFORCEMENT_CLIENT_FORBIDDEN');
    expect(run(config)).toBe('401 SSL_ENFORCEMENT_AUTHENTICATION_REQUIRED');
    expect(run(config, { headers: { 'x-client-cert': ' ' } })).toBe('401 SSL_ENFORCEMENT_AUTHENTICATION_REQUIRED');
    expect(run(config, { headers: { 'x-client-cert': 'not a certificate' } })).toBe(
      '401 SSL_ENFORCEMENT_AUTHENTICATION_REQUIRED',
    );
    // The TLS session's certificate is not used in HEADER mode.
    expect(run(config, { ssl: session(CLIENT_PEM) })).toBe('401 SSL_ENFORCEMENT_AUTHENTICATION_REQUIRED');
    expect(run({ ...config, requiresSsl: true }, header(CLIENT_PEM))).toBe('403 SSL_ENFORCEMENT_SSL_REQUIRED');
  });

  it('refuses bad configurations at deploy time', () => {
    expect(() => instantiate(sslEnforcementPolicy, { whitelistClientCertificates: ['CN=a', 'nonsense'] })).toThrow(
      "whitelistClientCertificates[1]: 'nonsense' is not a type=value attribute",
    );
    for (const bad of [
      { requiresSsl: 'true' },
      { certificateLocation: 'BODY' },
      { certificateHeaderName: '' },
      { whitelistClientCertificates: [''] },
      { whitelistClientCertificates: 'CN=a' },
    ])
      expect(() => instantiate(sslEnforcementPolicy, bad), JSON.stringify(bad)).toThrow('invalid configuration');
  });
});
