/**
 * The TLS options of the gateway's listener (certificates chosen by SNI, client authentication, trust store) and
 * their loading: each PEM is given inline or as a file path, read once at start and again on reload.
 */

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApimError } from '@apim/core';

/** A PEM string (it contains `-----BEGIN`) or the path of a PEM file. */
export type PemSource = string;

/** One server certificate with its private key. */
export interface TlsCertificateOptions {
  /** Certificate chain, PEM or path. */
  cert: PemSource;
  /** Private key, PEM or path. */
  key: PemSource;
  /** Passphrase of an encrypted key. */
  passphrase?: string;
  /**
   * Server names this certificate serves (exact `api.example.com` or wildcard `*.example.com`, one label). Default:
   * the DNS names of the certificate's subjectAltName.
   */
  serverNames?: string[];
}

/**
 * Client certificate authentication (mTLS): `none` (default) asks for no certificate; `request` asks for one and
 * accepts the connection without it or with an untrusted one (the request path reads `socket.authorized`); `required`
 * rejects the handshake unless the client presents a certificate the trust store verifies.
 */
export type ClientAuth = 'none' | 'request' | 'required';

/** TLS on the gateway listener. */
export interface TlsListenerOptions {
  /** The server certificates; the first one is the default (no SNI, or no name matches). */
  certificates: TlsCertificateOptions[];
  clientAuth?: ClientAuth;
  /** Trust store for client certificates (PEM bundle or path); required with `clientAuth` request/required. */
  ca?: PemSource;
  /** Lowest TLS version accepted (default `TLSv1.2`). */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Reload the certificates when a file given as a path changes (default true; paths only). */
  watch?: boolean;
  /** Delay between a file change and the reload, so that a cert and its key written together reload once (200 ms). */
  watchDebounceMs?: number;
}

/** One certificate with its PEMs read. */
export interface LoadedCertificate {
  readonly cert: string;
  readonly key: string;
  readonly passphrase: string | undefined;
  /** Lowercased server names, exact or `*.` wildcards. */
  readonly serverNames: readonly string[];
}

/** The certificates and trust store as read from their sources. */
export interface LoadedTls {
  readonly certificates: readonly LoadedCertificate[];
  readonly ca: string | undefined;
}

function invalid(message: string, cause?: unknown): ApimError {
  return new ApimError('CONFIG_INVALID', { message: `gateway tls: ${message}`, cause });
}

/** Whether a source is inline PEM rather than a path. */
export function isInlinePem(source: PemSource): boolean {
  return source.includes('-----BEGIN');
}

function readPem(name: string, source: PemSource): string {
  if (isInlinePem(source)) return source;
  try {
    return readFileSync(resolve(source), 'utf8');
  } catch (error) {
    throw invalid(`${name} [${source}] cannot be read`, error);
  }
}

/** The DNS names of a certificate's subjectAltName, else its subject CN. */
function namesOf(pem: string): string[] {
  const x509 = new X509Certificate(pem);
  const names = (x509.subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
  if (names.length > 0) return names;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(x509.subject)?.[1];
  return cn === undefined ? [] : [cn];
}

/** The paths among the sources (the files to watch). */
export function pathsOf(options: TlsListenerOptions): string[] {
  const sources = options.certificates.flatMap((c) => [c.cert, c.key]);
  if (options.ca !== undefined) sources.push(options.ca);
  return sources.filter((source) => !isInlinePem(source)).map((source) => resolve(source));
}

/**
 * Reads every PEM (throws CONFIG_INVALID on a missing file, a bad certificate or a missing trust store).
 *
 * @example loadTls({ certificates: [{ cert: '/etc/apim/tls.crt', key: '/etc/apim/tls.key' }] });
 */
export function loadTls(options: TlsListenerOptions): LoadedTls {
  if (!Array.isArray(options.certificates) || options.certificates.length === 0)
    throw invalid('at least one certificate is required');
  const clientAuth = options.clientAuth ?? 'none';
  if (!['none', 'request', 'required'].includes(clientAuth))
    throw invalid('clientAuth must be none, request or required');
  if (clientAuth !== 'none' && options.ca === undefined) throw invalid(`clientAuth ${clientAuth} needs a ca`);
  const certificates = options.certificates.map((given, i) => {
    const cert = readPem(`certificates[${i}].cert`, given.cert);
    const key = readPem(`certificates[${i}].key`, given.key);
    let names: string[];
    try {
      names = given.serverNames ?? namesOf(cert);
    } catch (error) {
      throw invalid(`certificates[${i}].cert is not a PEM certificate`, error);
    }
    return Object.freeze({
      cert,
      key,
      passphrase: given.passphrase,
      serverNames: Object.freeze(names.map((name) => name.toLowerCase())),
    });
  });
  const ca = options.ca === undefined ? undefined : readPem('ca', options.ca);
  return Object.freeze({ certificates: Object.freeze(certificates), ca });
}
