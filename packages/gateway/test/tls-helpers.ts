/**
 * Helpers for the listener tests (TLS, HTTP/2, WebSocket): test certificates made with the `openssl` CLI in a temp
 * directory (a CA, a server certificate for two names, a second server certificate, a client certificate and an
 * untrusted one, self-signed server certificates on demand), and a gateway listener on a free port.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '@apim/core';
import { pino } from 'pino';
import { ApiRegistry, createGatewayListener, type GatewayListener, type GatewayServerOptions } from '../src/index.js';
import { runtime } from './helpers.js';
import type { Cleanups } from './server-helpers.js';

export interface CertificatePair {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface TestCertificates {
  dir: string;
  ca: string;
  caPath: string;
  /** For `api.example.com` and `*.apps.example.com`. */
  server: CertificatePair;
  /** For `other.test`. */
  other: CertificatePair;
  /** A client certificate signed by the CA. */
  client: CertificatePair;
  /** A self-signed client certificate (not trusted). */
  rogue: CertificatePair;
  /** Issues a new certificate signed by the CA. */
  issue(name: string, subject: string, dnsNames: string[], clientAuth?: boolean): CertificatePair;
  /** Makes a self-signed server certificate for `dnsNames` (the first one is its subject). */
  selfSigned(name: string, dnsNames: string[]): CertificatePair;
  remove(): void;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function pair(dir: string, name: string): CertificatePair {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  return { certPath, keyPath, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

/** Makes the test certificates (about 100 ms). */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'apim-tls-'));
  openssl(dir, 'req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=APIM Test CA');
  const issue = (name: string, subject: string, dnsNames: string[], clientAuth = false): CertificatePair => {
    openssl(dir, 'req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${subject}`);
    const ext = [
      dnsNames.length > 0 ? `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}` : '',
      `extendedKeyUsage=${clientAuth ? 'clientAuth' : 'serverAuth'}`,
    ].join('\n');
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
    return pair(dir, name);
  };
  const selfSigned = (name: string, dnsNames: string[]): CertificatePair => {
    const san = `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}`;
    openssl(
      dir,
      'req',
      '-x509',
      ...EC,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${dnsNames[0]}`,
      '-addext',
      san,
      '-addext',
      'extendedKeyUsage=serverAuth',
    );
    return pair(dir, name);
  };
  const server = issue('server', 'api.example.com', ['api.example.com', '*.apps.example.com']);
  const other = issue('other', 'other.test', ['other.test']);
  const client = issue('client', 'client-app', [], true);
  openssl(dir, 'req', '-x509', ...EC, '-keyout', 'rogue.key', '-out', 'rogue.crt', '-days', '2', '-subj', '/CN=rogue');
  const caPath = join(dir, 'ca.crt');
  return {
    dir,
    ca: readFileSync(caPath, 'utf8'),
    caPath,
    server,
    other,
    client,
    rogue: pair(dir, 'rogue'),
    issue,
    selfSigned,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TestListener {
  port: number;
  registry: ApiRegistry;
  listener: GatewayListener;
}

/** A gateway listener on 127.0.0.1 (free port) with the snapshots deployed, drained after the test. */
export async function startListener(
  cleanups: Cleanups,
  options: GatewayServerOptions,
  ...definitions: JsonObject[]
): Promise<TestListener> {
  const registry = new ApiRegistry();
  for (const definition of definitions) registry.deploy(runtime(definition));
  const listener = createGatewayListener(registry, pino({ level: 'silent' }), options);
  listener.server.listen(0, '127.0.0.1');
  await once(listener.server, 'listening');
  cleanups.add(async () => {
    await listener.drain(0);
    await registry.close(1_000);
  });
  return { port: (listener.server.address() as AddressInfo).port, registry, listener };
}
