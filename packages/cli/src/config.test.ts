import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayJwtKeys, gatewayTlsOptions, listSettings, loadConfig, redactUrl } from './config.js';

async function yamlFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'apim-config-'));
  const file = join(dir, 'apim.yaml');
  await writeFile(file, text);
  return file;
}

describe('loadConfig', () => {
  it('has embedded defaults: SQLite under ./data and the standard ports', () => {
    const config = loadConfig({ env: {} });
    expect(config.gateway.port).toBe(8082);
    expect(config.management.port).toBe(8083);
    expect(config.node.port).toBe(18082);
    expect(config.console.port).toBe(8084);
    expect(config.portal.port).toBe(8085);
    expect(config.bridge.port).toBe(18092);
    expect(config.dataDir).toBe(resolve('./data'));
    expect(config.repository.url).toBe(`sqlite:${resolve('./data/apim.db')}`);
  });

  it('reads a YAML file and lets the environment override it', async () => {
    const file = await yamlFile('gateway:\n  port: 9000\n  syncIntervalMs: 250\nmanagement:\n  port: 9001\n');
    const config = loadConfig({ file, env: { APIM_GATEWAY_PORT: '9100', APIM_GATEWAY_ENVIRONMENTS: 'a, b' } });
    expect(config.gateway.port).toBe(9100);
    expect(config.gateway.syncIntervalMs).toBe(250);
    expect(config.gateway.environments).toEqual(['a', 'b']);
    expect(config.management.port).toBe(9001);
  });

  it('reads gateway.workers from APIM_GATEWAY_WORKERS: 0 (one per core) by default, never negative', () => {
    expect(loadConfig({ env: {} }).gateway.workers).toBe(0);
    expect(loadConfig({ env: { APIM_GATEWAY_WORKERS: '4' } }).gateway.workers).toBe(4);
    expect(() => loadConfig({ env: { APIM_GATEWAY_WORKERS: '-1' } })).toThrow(/gateway.workers/);
    expect(() => loadConfig({ env: { APIM_GATEWAY_WORKERS: 'many' } })).toThrow(/gateway.workers/);
  });

  it('maps every port variable the platform documents', () => {
    const config = loadConfig({
      env: {
        APIM_GATEWAY_PORT: '1',
        APIM_MANAGEMENT_PORT: '2',
        APIM_NODE_PORT: '3',
        APIM_CONSOLE_PORT: '4',
        APIM_PORTAL_PORT: '5',
        APIM_BRIDGE_PORT: '6',
        APIM_DATA_DIR: '/srv/apim',
        APIM_ADMIN_PASSWORD: 's3cret',
        APIM_REPOSITORY_URL: 'postgres://u:p@db/apim',
      },
    });
    expect([
      config.gateway.port,
      config.management.port,
      config.node.port,
      config.console.port,
      config.portal.port,
      config.bridge.port,
    ]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(config.dataDir).toBe('/srv/apim');
    expect(config.management.adminPassword).toBe('s3cret');
    expect(config.repository.url).toBe('postgres://u:p@db/apim');
  });

  it('names each invalid setting', () => {
    const load = () => loadConfig({ env: { APIM_GATEWAY_PORT: 'eighty', APIM_MANAGEMENT_PORT: '70000' } });
    expect(load).toThrow(/gateway\.port must be integer/);
    expect(load).toThrow(/management\.port must be <= 65535/);
  });

  it('rejects a missing or malformed file with its name', async () => {
    expect(() => loadConfig({ file: '/no/such/apim.yaml', env: {} })).toThrow(
      'Config file not found: /no/such/apim.yaml',
    );
    const bad = await yamlFile('gateway: [port: 1\n');
    expect(() => loadConfig({ file: bad, env: {} })).toThrow(/Cannot parse .*apim\.yaml/);
    const list = await yamlFile('- a\n- b\n');
    expect(() => loadConfig({ file: list, env: {} })).toThrow(/must hold a mapping/);
  });

  it('derives one environment variable per setting', () => {
    const names = listSettings().map((s) => s.env);
    expect(names).toContain('APIM_GATEWAY_SYNC_INTERVAL_MS');
    expect(names).toContain('APIM_MANAGEMENT_ADMIN_PASSWORD');
    expect(new Set(names).size).toBe(names.length);
  });

  it('masks passwords in repository URLs', () => {
    expect(redactUrl('postgres://apim:hunter2@db:5432/apim')).toBe('postgres://apim:****@db:5432/apim');
    expect(redactUrl('sqlite:/data/apim.db')).toBe('sqlite:/data/apim.db');
  });

  it('maps the gateway TLS settings, one key per certificate', () => {
    expect(gatewayTlsOptions(loadConfig({ env: {} }).gateway)).toBeUndefined();
    const config = loadConfig({
      env: {
        APIM_GATEWAY_TLS_CERT: '/etc/apim/a.pem, /etc/apim/b.pem',
        APIM_GATEWAY_TLS_KEY: '/etc/apim/a.key,/etc/apim/b.key',
        APIM_GATEWAY_TLS_CLIENT_AUTH: 'required',
        APIM_GATEWAY_TLS_CA: '/etc/apim/ca.pem',
      },
    });
    expect(gatewayTlsOptions(config.gateway)).toEqual({
      certificates: [
        { cert: '/etc/apim/a.pem', key: '/etc/apim/a.key' },
        { cert: '/etc/apim/b.pem', key: '/etc/apim/b.key' },
      ],
      clientAuth: 'required',
      ca: '/etc/apim/ca.pem',
    });
    const unpaired = loadConfig({ env: { APIM_GATEWAY_TLS_CERT: '/a.pem' } });
    expect(() => gatewayTlsOptions(unpaired.gateway)).toThrow('lists 1 certificate(s) but gateway.tlsKey lists 0');
    const noCa = loadConfig({
      env: { APIM_GATEWAY_TLS_CERT: '/a.pem', APIM_GATEWAY_TLS_KEY: '/a.key', APIM_GATEWAY_TLS_CLIENT_AUTH: 'request' },
    });
    expect(() => gatewayTlsOptions(noCa.gateway)).toThrow('needs gateway.tlsCa');
    expect(() => loadConfig({ env: { APIM_GATEWAY_TLS_CLIENT_AUTH: 'sometimes' } })).toThrow(/tlsClientAuth/);
  });
});

describe('gatewayJwtKeys', () => {
  it('reads the keys of GATEWAY_KEYS plans from a YAML or JSON file', async () => {
    const yaml = await yamlFile(
      '- issuer: https://idp.example.com\n  kid: k1\n  key: a-shared-secret\n- key: another\n',
    );
    expect(gatewayJwtKeys(yaml)).toEqual([
      { issuer: 'https://idp.example.com', kid: 'k1', key: 'a-shared-secret' },
      { key: 'another' },
    ]);
    expect(gatewayJwtKeys('')).toBeUndefined();
  });

  it('names the file and the entry of every problem', async () => {
    expect(() => gatewayJwtKeys(join(tmpdir(), 'no-such-apim-keys.yaml'))).toThrow('gateway.jwtKeysFile');
    expect(() => gatewayJwtKeys('')).not.toThrow();
    const notList = await yamlFile('issuer: x\nkey: y\n');
    expect(() => gatewayJwtKeys(notList)).toThrow('must be a list of { issuer?, kid?, key }');
    const noKey = await yamlFile('- issuer: x\n');
    expect(() => gatewayJwtKeys(noKey)).toThrow('entry 0: key must be a non-empty string');
    const badKid = await yamlFile('- key: y\n  kid: 3\n');
    expect(() => gatewayJwtKeys(badKid)).toThrow('entry 0: kid must be a string');
  });
});
