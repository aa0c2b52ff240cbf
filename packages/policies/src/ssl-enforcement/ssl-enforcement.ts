import { X509Certificate } from 'node:crypto';
import type { ExecutionContext, InterruptOptions, PolicyFactoryContext, PolicyInstance } from '@apim/core';
import { compileDnPattern, type DnAttribute, dnMatches, dnOfLegacySubject, parseDn } from './distinguished-name.js';
import type { SslEnforcementConfig } from './schema.js';

/** Gravitee's refusals (keys, statuses and messages of its ssl-enforcement policy). */
export const SSL_REQUIRED: InterruptOptions = Object.freeze({
  status: 403,
  key: 'SSL_ENFORCEMENT_SSL_REQUIRED',
  message: 'Access to the resource requires SSL certificate.',
});
export const AUTHENTICATION_REQUIRED: InterruptOptions = Object.freeze({
  status: 401,
  key: 'SSL_ENFORCEMENT_AUTHENTICATION_REQUIRED',
  message: 'Unauthorized',
});
export const CLIENT_FORBIDDEN: InterruptOptions = Object.freeze({
  status: 403,
  key: 'SSL_ENFORCEMENT_CLIENT_FORBIDDEN',
  message: "You're not allowed to access this resource",
});

const MAX_CACHED_SUBJECTS = 256;

/** A small bounded memo of parsed certificate subjects (by fingerprint or header value); null: unparseable. */
class SubjectCache {
  readonly #entries = new Map<string, DnAttribute[] | null>();

  get(key: string, parse: () => DnAttribute[] | null): DnAttribute[] | null {
    let subject = this.#entries.get(key);
    if (subject === undefined) {
      subject = parse();
      if (this.#entries.size >= MAX_CACHED_SUBJECTS) this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(key, subject);
    }
    return subject;
  }
}

function subjectOfCertificate(certificate: Buffer): DnAttribute[] | null {
  try {
    return dnOfLegacySubject(new X509Certificate(certificate).toLegacyObject().subject);
  } catch {
    return null;
  }
}

/**
 * The DER of a header certificate: a URL-encoded PEM (nginx `$ssl_client_escaped_cert`), a PEM (also folded on one
 * line, as some proxies send it), or base64 DER.
 */
export function certificateOfHeader(value: string): Buffer {
  let text = value.trim();
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // Not URL-encoded after all: read it as it is.
    }
  }
  const pem = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/.exec(text);
  return Buffer.from((pem === null ? text : pem[1]!).replace(/\s+/g, ''), 'base64');
}

/**
 * Builds the instance: whitelist DNs compiled once (a malformed DN fails the deployment). Per request, as Gravitee:
 * a cleartext connection is refused when `requiresSsl` (403); with `requiresClientAuthentication` a certificate must
 * be present and trusted (401) and, when a whitelist is set, its subject must match one entry (403). Unlike
 * Gravitee, `requiresClientAuthentication` also applies over cleartext (Gravitee lets such a request pass when
 * `requiresSsl` is false).
 */
export function createSslEnforcement(
  config: Readonly<SslEnforcementConfig>,
  ctx: PolicyFactoryContext,
): PolicyInstance {
  const whitelist = config.whitelistClientCertificates.map((dn, index) => {
    try {
      return compileDnPattern(dn);
    } catch (error) {
      throw new Error(`whitelistClientCertificates[${index}]: ${(error as Error).message}`);
    }
  });
  if (whitelist.length > 0 && !config.requiresClientAuthentication)
    ctx.logger.warn(
      {},
      'ssl-enforcement: whitelistClientCertificates is ignored unless requiresClientAuthentication is true (as in Gravitee)',
    );
  const fromHeader = config.certificateLocation === 'HEADER';
  const headerName = config.certificateHeaderName;
  const subjects = new SubjectCache();

  /** The subject of the client certificate; undefined when there is none, null when it cannot be read. */
  const clientSubject = (exec: ExecutionContext): DnAttribute[] | null | undefined => {
    if (fromHeader) {
      const value = exec.request.headers.getFirst(headerName);
      if (value === undefined || value.trim() === '') return undefined;
      return subjects.get(`h:${value}`, () => subjectOfCertificate(certificateOfHeader(value)));
    }
    const ssl = exec.request.ssl;
    const certificate = ssl?.clientCertificate;
    if (certificate === undefined || !ssl!.clientAuthorized) return undefined;
    return subjects.get(`s:${certificate.fingerprint256}`, () => {
      try {
        return subjectOfCertificate(certificate.raw) ?? parseDn(certificate.subject);
      } catch {
        return null;
      }
    });
  };

  return {
    onRequest(exec): void {
      const secure = exec.request.ssl !== undefined;
      if (config.requiresSsl && !secure) {
        exec.interrupt(SSL_REQUIRED);
        return;
      }
      if (!config.requiresClientAuthentication) return;
      const subject = clientSubject(exec);
      if (subject === undefined || subject === null) exec.interrupt(AUTHENTICATION_REQUIRED);
      else if (whitelist.length > 0 && !whitelist.some((pattern) => dnMatches(pattern, subject)))
        exec.interrupt(CLIENT_FORBIDDEN);
    },
  };
}
