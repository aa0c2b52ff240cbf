import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import { ipFilteringPolicy } from './index.js';
import { compileIpMatcher, normaliseIp } from './ip-matcher.js';

const run = (configuration: unknown, remoteAddress: string, headers: Record<string, string | string[]> = {}) => {
  const exec = new InMemoryExecutionContext({ remoteAddress, headers });
  instantiate(ipFilteringPolicy, configuration).onRequest!(exec);
  return exec.interruption === undefined ? 'pass' : `${exec.interruption.status} ${exec.interruption.message}`;
};

const refused = (ips: string) =>
  `403 Your IP (${ips}) or some proxies whereby your request pass through are not allowed to reach this resource.`;

describe('ip matcher', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1', true],
    ['10.0.0.1', '10.0.0.2', false],
    ['10.0.0.0/8', '10.255.0.1', true],
    ['10.0.0.2/10', '10.63.255.254', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['2001:db8::/32', '2001:db8:1::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::1', '::1', true],
    ['10.0.0.0/8', '::ffff:10.1.1.1', true],
    ['10.0.0.0/8', '[::ffff:10.1.1.1]:443', true],
    ['10.0.0.0/8', '10.1.1.1:8080', true],
    ['10.0.0.0/8', '[2001:db8::1]', false],
    ['10.0.0.0/8', 'not-an-ip', false],
    ['10.0.0.0/8', '', false],
    ['fe80::/10', 'fe80::1%eth0', true],
  ])('%s matches %s: %s', (entry, ip, expected) => {
    expect(compileIpMatcher([entry], false, 'list').matches(ip)).toBe(expected);
  });

  it("leaves out the network and broadcast addresses of a range unless inclusive, as Gravitee's SubnetUtils", () => {
    const strict = compileIpMatcher(['10.0.0.0/24'], false, 'list');
    expect([strict.matches('10.0.0.0'), strict.matches('10.0.0.255'), strict.matches('10.0.0.7')]).toEqual([
      false,
      false,
      true,
    ]);
    const inclusive = compileIpMatcher(['10.0.0.0/24'], true, 'list');
    expect([inclusive.matches('10.0.0.0'), inclusive.matches('10.0.0.255')]).toEqual([true, true]);
    expect(compileIpMatcher(['10.0.0.0/31', '10.0.0.9/32'], false, 'list').matches('10.0.0.0')).toBe(true);
    expect(compileIpMatcher(['10.0.0.0/24', '10.0.0.0'], false, 'list').matches('10.0.0.0')).toBe(true);
  });

  it('splits comma-separated entries', () => {
    const matcher = compileIpMatcher(['10.0.0.1, 10.0.0.2', ' '], false, 'list');
    expect(matcher.size).toBe(2);
    expect(matcher.matches('10.0.0.2')).toBe(true);
  });

  it.each([
    ['gravitee.io', "list[0]: 'gravitee.io' is not an IPv4/IPv6 address or CIDR range: host names are not supported"],
    ['10.0.0.0/33', "list[0]: '10.0.0.0/33' has an invalid prefix length (0 to 32)"],
    ['2001:db8::/129', "list[0]: '2001:db8::/129' has an invalid prefix length (0 to 128)"],
    ['10.0.0.0/', "list[0]: '10.0.0.0/' has an invalid prefix length"],
    ['10.0.0.0/x', "list[0]: '10.0.0.0/x' has an invalid prefix length"],
    ['10.0.0.256', "list[0]: '10.0.0.256' is not an IPv4/IPv6 address or CIDR range"],
    ['10.0.0.0/8/8', "list[0]: '10.0.0.0/8/8' has an invalid prefix length"],
    ['!!', "list[0]: '!!' is not an IPv4/IPv6 address or CIDR range"],
    ["{#properties['ips']}", 'list[0]: EL expressions are not supported here'],
  ])('refuses %s at deploy time', (entry, message) => {
    expect(() => compileIpMatcher([entry], false, 'list')).toThrow(message);
  });

  it('normalises addresses', () => {
    expect(normaliseIp(' ::FFFF:10.0.0.1 ')).toBe('10.0.0.1');
    expect(normaliseIp('[::1]')).toBe('::1');
    expect(normaliseIp('1.2.3.4:80')).toBe('1.2.3.4');
    expect(normaliseIp('example.com')).toBeUndefined();
  });
});

describe('ip-filtering', () => {
  it('passes everything without lists', () => {
    expect(run({}, '203.0.113.9')).toBe('pass');
  });

  it('refuses a blacklisted remote address with 403 IP_FILTERING_NOT_ALLOWED', () => {
    const exec = new InMemoryExecutionContext({ remoteAddress: '192.168.1.10' });
    instantiate(ipFilteringPolicy, { blacklistIps: ['192.168.0.0/16'] }).onRequest!(exec);
    expect(exec.interruption).toMatchObject({ status: 403, key: 'IP_FILTERING_NOT_ALLOWED' });
    expect(run({ blacklistIps: ['192.168.0.0/16'] }, '10.0.0.1')).toBe('pass');
  });

  it('passes only whitelisted remote addresses, IPv4-mapped IPv6 included', () => {
    const config = { whitelistIps: ['10.0.0.0/8', '2001:db8::/32'] };
    expect(run(config, '10.1.2.3')).toBe('pass');
    expect(run(config, '::ffff:10.1.2.3')).toBe('pass');
    expect(run(config, '2001:db8::7')).toBe('pass');
    expect(run(config, '172.16.0.1')).toBe(refused('172.16.0.1'));
  });

  it('the blacklist wins over the whitelist', () => {
    expect(run({ whitelistIps: ['10.0.0.0/8'], blacklistIps: ['10.0.0.66'] }, '10.0.0.66')).toBe(refused('10.0.0.66'));
  });

  it('ignores X-Forwarded-For unless matchAllFromXForwardedFor', () => {
    const headers = { 'X-Forwarded-For': '192.168.0.1' };
    expect(run({ blacklistIps: ['192.168.0.0/16'] }, '10.0.0.1', headers)).toBe('pass');
  });

  it('with matchAllFromXForwardedFor, any blacklisted entry refuses and every entry must be whitelisted', () => {
    const black = { matchAllFromXForwardedFor: true, blacklistIps: ['192.168.0.0/16'] };
    expect(run(black, '10.0.0.1', { 'X-Forwarded-For': '8.8.8.8, 192.168.3.3' })).toBe(refused('192.168.3.3'));
    expect(run(black, '192.168.3.3', { 'X-Forwarded-For': '8.8.8.8' })).toBe('pass');
    const white = { matchAllFromXForwardedFor: true, whitelistIps: ['203.0.113.0/24', '10.0.0.5'] };
    expect(run(white, '10.0.0.5', { 'X-Forwarded-For': '203.0.113.7, 10.0.0.5' })).toBe('pass');
    expect(run(white, '10.0.0.5', { 'X-Forwarded-For': '1.1.1.1, 203.0.113.7, junk' })).toBe(refused('1.1.1.1, junk'));
    expect(run(white, '10.0.0.5', { 'X-Forwarded-For': ['203.0.113.7', '1.1.1.1'] })).toBe(refused('1.1.1.1'));
  });

  it('with matchAllFromXForwardedFor and no header, checks the remote address', () => {
    const white = { matchAllFromXForwardedFor: true, whitelistIps: ['10.0.0.5'] };
    expect(run(white, '10.0.0.5')).toBe('pass');
    expect(run(white, '10.0.0.6', { 'X-Forwarded-For': ' , ' })).toBe(refused('10.0.0.6'));
  });

  it('checks the custom address(es) when useCustomIPAddress', () => {
    const config = {
      useCustomIPAddress: true,
      customIPAddress: "{#request.headers['X-Real-IP'][0]}",
      whitelistIps: ['10.0.0.0/8'],
    };
    expect(run(config, '8.8.8.8', { 'X-Real-IP': '10.2.3.4' })).toBe('pass');
    expect(run(config, '10.0.0.1', { 'X-Real-IP': '10.2.3.4, 8.8.4.4' })).toBe(refused('8.8.4.4'));
    expect(run(config, '10.0.0.1')).toBe(refused('10.0.0.1'));
    const safe = { ...config, customIPAddress: "{#request.headers['X-Real-IP']?.[0]}" };
    expect(run(safe, '10.0.0.1')).toBe(refused('10.0.0.1'));
    expect(run({ ...safe, whitelistIps: [], blacklistIps: ['8.8.8.8'] }, '10.0.0.1')).toBe('pass');
    expect(run({ ...config, whitelistIps: [], blacklistIps: ['8.8.8.8'] }, '10.0.0.1')).toBe(refused('10.0.0.1'));
  });

  it('refuses bad configurations at deploy time', () => {
    expect(() => instantiate(ipFilteringPolicy, { whitelistIps: ['gravitee.io'] })).toThrow(
      "whitelistIps[0]: 'gravitee.io' is not an IPv4/IPv6 address or CIDR range: host names are not supported",
    );
    expect(() => instantiate(ipFilteringPolicy, { blacklistIps: ['10.0.0.0/99'] })).toThrow('blacklistIps[0]');
    expect(() => instantiate(ipFilteringPolicy, { useCustomIPAddress: true })).toThrow(
      'customIPAddress is required when useCustomIPAddress is true',
    );
    expect(() => instantiate(ipFilteringPolicy, { whitelistIps: 'a' })).toThrow('invalid configuration');
    expect(() => instantiate(ipFilteringPolicy, { whitelistIps: [''] })).toThrow('invalid configuration');
    expect(() => instantiate(ipFilteringPolicy, { matchAllFromXForwardedFor: 'yes' })).toThrow('invalid configuration');
    expect(() => instantiate(ipFilteringPolicy, { lookupIpVersion: 'IPV5' })).toThrow('invalid configuration');
    expect(() => instantiate(ipFilteringPolicy, { lookupIpVersion: 'IPV4', customIPAddress: '{#a.(}' })).toThrow(
      'invalid configuration',
    );
  });
});
