/**
 * The listener's certificates as secure contexts, built once per load and chosen per connection by SNI
 * (RFC 6066 §3, https://www.rfc-editor.org/rfc/rfc6066#section-3): exact name, then a one-label wildcard
 * (`*.example.com`), else the first certificate. A reload builds a whole new set and swaps it in one assignment, so a
 * handshake sees the old set or the new one; connections already open keep their certificate.
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import { type LoadedTls, loadTls, pathsOf, type TlsListenerOptions } from './tls-options.js';

interface ContextSet {
  readonly byName: ReadonlyMap<string, SecureContext>;
  readonly byWildcard: ReadonlyMap<string, SecureContext>;
  readonly fallback: SecureContext;
  readonly defaultOptions: SecureContextOptions;
}

/** The secure context options of one certificate (the trust store is in every context: it verifies client certs). */
function contextOptions(loaded: LoadedTls, index: number, minVersion: string): SecureContextOptions {
  const certificate = loaded.certificates[index]!;
  return {
    cert: certificate.cert,
    key: certificate.key,
    passphrase: certificate.passphrase,
    ca: loaded.ca,
    minVersion: minVersion as SecureContextOptions['minVersion'],
  };
}

function buildContexts(loaded: LoadedTls, minVersion: string): ContextSet {
  const byName = new Map<string, SecureContext>();
  const byWildcard = new Map<string, SecureContext>();
  let fallback: SecureContext | undefined;
  loaded.certificates.forEach((certificate, i) => {
    const context = createSecureContext(contextOptions(loaded, i, minVersion));
    fallback ??= context;
    for (const name of certificate.serverNames) {
      if (name.startsWith('*.')) {
        if (!byWildcard.has(name.slice(2))) byWildcard.set(name.slice(2), context);
      } else if (!byName.has(name)) byName.set(name, context);
    }
  });
  return { byName, byWildcard, fallback: fallback!, defaultOptions: contextOptions(loaded, 0, minVersion) };
}

/** The server-level TLS options that go with a client authentication mode. */
export function clientAuthOptions(options: TlsListenerOptions): { requestCert: boolean; rejectUnauthorized: boolean } {
  const mode = options.clientAuth ?? 'none';
  return { requestCert: mode !== 'none', rejectUnauthorized: mode === 'required' };
}

/**
 * The certificates of a TLS listener.
 *
 * @example
 * const store = new CertificateStore(options.tls, logger);
 * const server = tls.createServer({ ...store.defaultOptions(), SNICallback: store.sniCallback });
 * store.attach(server); // setSecureContext on reload, file watching
 */
export class CertificateStore {
  #set: ContextSet;
  #server: { setSecureContext(options: SecureContextOptions): void } | undefined;
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #minVersion: string;

  constructor(
    readonly options: TlsListenerOptions,
    readonly logger: Logger,
  ) {
    this.#minVersion = options.minVersion ?? 'TLSv1.2';
    this.#set = buildContexts(loadTls(options), this.#minVersion);
  }

  /** The default certificate's options, for the server's own context (clients that send no SNI). */
  defaultOptions(): SecureContextOptions {
    return this.#set.defaultOptions;
  }

  /** The context for a server name: exact, then `*.parent`, else the default certificate. */
  contextFor(serverName: string): SecureContext {
    const set = this.#set;
    const name = serverName.toLowerCase();
    const exact = set.byName.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    return (dot === -1 ? undefined : set.byWildcard.get(name.slice(dot + 1))) ?? set.fallback;
  }

  /** The `SNICallback` of the server. */
  readonly sniCallback = (serverName: string, callback: (error: Error | null, context?: SecureContext) => void) => {
    callback(null, this.contextFor(serverName));
  };

  /** Keeps the server's default context in step with reloads and, for certificates given as paths, watches them. */
  attach(server: { setSecureContext(options: SecureContextOptions): void }): void {
    this.#server = server;
    if (this.options.watch === false) return;
    const paths = pathsOf(this.options);
    const byDirectory = new Map<string, Set<string>>();
    for (const path of paths) {
      const names = byDirectory.get(dirname(path)) ?? new Set<string>();
      names.add(basename(path));
      byDirectory.set(dirname(path), names);
    }
    // The directories are watched, not the files: tools replace a file by renaming a new one over it.
    for (const [directory, names] of byDirectory) {
      const watcher = watch(directory, { persistent: false }, (_event, file) => {
        if (file === null || names.has(file.toString())) this.#schedule();
      });
      watcher.on('error', (error) => this.logger.warn({ err: error, directory }, 'certificate watch failed'));
      this.#watchers.push(watcher);
    }
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.reload(), this.options.watchDebounceMs ?? 200);
    this.#timer.unref();
  }

  /**
   * Reads the certificates again and swaps them in for new connections. On a failure (unreadable file, key that does
   * not match) the current ones stay and the error is returned (and logged).
   */
  reload(): Error | undefined {
    try {
      const set = buildContexts(loadTls(this.options), this.#minVersion);
      this.#server?.setSecureContext(set.defaultOptions);
      this.#set = set;
      this.logger.info({ certificates: this.options.certificates.length }, 'tls certificates reloaded');
      return undefined;
    } catch (error) {
      this.logger.error({ err: error }, 'tls certificates reload failed, keeping the current ones');
      return error as Error;
    }
  }

  /** Stops watching the files. */
  close(): void {
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers = [];
  }
}
