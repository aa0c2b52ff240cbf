/**
 * HTTP/2 to an endpoint through `node:http2`, for gRPC passthrough: undici only speaks HTTP/2 after ALPN (no h2c with
 * prior knowledge, RFC 9113 §3.3) and its HTTP/2 client can complete a response before the trailers arrived. So
 * `grpc://` targets and `http://` ones with `http.version: HTTP_2` (h2c with prior knowledge), `grpcs://` targets and
 * `https://` ones with `HTTP_2` (h2 over TLS, ALPN, RFC 7301) go through one `node:http2` client session per endpoint,
 * opened on the first request, shared by every request, and opened again after it closed or received a GOAWAY.
 *
 * Over TLS the gateway opens the connection itself with the endpoint's TLS settings (trust all, trust store, hostname
 * verification, client certificate) and reads the protocol the endpoint chose before starting the session: for
 * `https://` + `HTTP_2`, ALPN offers `h2` and `http/1.1` as undici does, and an endpoint that picks HTTP/1.1 is served
 * by the endpoint's undici pool from then on (the `http1` option); `grpcs://` offers `h2` only.
 *
 * It extends undici's `Dispatcher`, so `compose` (the redirect interceptor) and `request` work on it; the handlers are
 * driven as undici's new-style ones (`onRequestStart`, `onResponseStart`, ...): see `h2-stream.ts`.
 *
 * @example
 * const h2 = new H2cDispatcher('http://127.0.0.1:50051', { connectTimeout: 3_000, readTimeout: 10_000 });
 * h2.dispatch({ method: 'POST', path: '/pkg.Service/Call', headers, body }, handler);
 */
import { type ClientHttp2Session, connect } from 'node:http2';
import { isIP } from 'node:net';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { Dispatcher } from 'undici';
import { codedError, rejectDispatch, startStream } from './h2-stream.js';

export { h2RequestHeaders } from './h2-stream.js';

export interface H2cDispatcherOptions {
  /** TLS options for `https:` origins (`grpcs://`, `https://` + `HTTP_2`): trust store, client certificate, checks. */
  tls?: ConnectionOptions;
  /** Connection timeout in ms, TLS handshake included (0: none). */
  connectTimeout?: number;
  /** No response headers, or no body data, within this many ms fails the request (0: none). */
  readTimeout?: number;
  /**
   * For `https:` origins: ALPN also offers `http/1.1`, and when the endpoint picks it (or no protocol), every request
   * goes through the dispatcher this returns (created once; closed with this one).
   */
  http1?: () => Dispatcher;
}

interface Waiting {
  readonly options: Dispatcher.DispatchOptions;
  readonly handler: Dispatcher.DispatchHandler;
}

const closedError = () => codedError('the dispatcher is closed', 'UND_ERR_CLOSED');

/** An undici-compatible dispatcher over one reused `node:http2` session (h2c, or h2 over TLS). */
export class H2cDispatcher extends Dispatcher {
  readonly #origin: string;
  readonly #options: H2cDispatcherOptions;
  readonly #https: boolean;
  #session: ClientHttp2Session | undefined;
  /** The TLS connection being opened, and the requests waiting for it (its ALPN answer decides where they go). */
  #connecting: TLSSocket | undefined;
  #waiting: Waiting[] = [];
  /** Set once the endpoint picked HTTP/1.1 by ALPN. */
  #http1: Dispatcher | undefined;
  #closed = false;
  /** Old-style handlers (`onConnect`, `onHeaders`..., as `request()` passes them) wrapped by undici's compose. */
  readonly #wrapped = this.compose((dispatch) => dispatch);

  constructor(origin: string, options: H2cDispatcherOptions = {}) {
    super();
    this.#origin = origin;
    this.#options = options;
    this.#https = origin.startsWith('https:');
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (typeof handler.onRequestStart !== 'function') return this.#wrapped.dispatch(options, handler);
    if (this.#closed) {
      rejectDispatch(handler, closedError());
      return true;
    }
    if (this.#http1 !== undefined) return this.#http1.dispatch(options, handler);
    const existing = this.#session;
    if (existing !== undefined && !existing.closed && !existing.destroyed) this.#start(existing, options, handler);
    else if (!this.#https) this.#start(this.#openCleartext(), options, handler);
    else {
      this.#waiting.push({ options, handler });
      this.#openTls();
    }
    return true;
  }

  #start(session: ClientHttp2Session, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    startStream(session, options, handler, {
      scheme: this.#https ? 'https' : 'http',
      readTimeout: this.#options.readTimeout ?? 0,
    });
  }

  /** Makes `session` the current one until it closes, fails or receives a GOAWAY. */
  #track(session: ClientHttp2Session): ClientHttp2Session {
    const forget = () => {
      if (this.#session === session) this.#session = undefined;
    };
    session.on('close', forget);
    session.on('goaway', forget);
    session.on('error', forget); // the streams get the error; the next request opens a new session
    this.#session = session;
    return session;
  }

  /** An h2c session with prior knowledge (RFC 9113 §3.3); `node:http2` queues the streams until it is connected. */
  #openCleartext(): ClientHttp2Session {
    const session = this.#track(connect(this.#origin));
    const timeout = this.#options.connectTimeout ?? 0;
    if (timeout > 0) {
      const timer = setTimeout(
        () => session.destroy(codedError('connect timeout', 'UND_ERR_CONNECT_TIMEOUT')),
        timeout,
      );
      timer.unref();
      session.once('connect', () => clearTimeout(timer));
      session.once('close', () => clearTimeout(timer));
    }
    return session;
  }

  /** Opens a TLS connection (one at a time), then hands the waiting requests to an h2 session or to HTTP/1.1. */
  #openTls(): void {
    if (this.#connecting !== undefined) return;
    const url = new URL(this.#origin);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const fallback = this.#options.http1;
    const socket = tlsConnect({
      ...this.#options.tls,
      host,
      port: Number(url.port) || 443,
      // SNI carries host names only (RFC 6066 §3).
      servername: isIP(host) === 0 ? host : undefined,
      ALPNProtocols: fallback === undefined ? ['h2'] : ['h2', 'http/1.1'],
    });
    this.#connecting = socket;
    const timeout = this.#options.connectTimeout ?? 0;
    const timer =
      timeout > 0
        ? setTimeout(() => socket.destroy(codedError('connect timeout', 'UND_ERR_CONNECT_TIMEOUT')), timeout).unref()
        : undefined;
    const settle = (): Waiting[] => {
      clearTimeout(timer);
      if (this.#connecting !== socket) return [];
      this.#connecting = undefined;
      const waiting = this.#waiting;
      this.#waiting = [];
      return waiting;
    };
    const onError = (error: Error) => {
      for (const { handler } of settle()) rejectDispatch(handler, error);
    };
    socket.on('error', onError);
    socket.once('close', () => onError(this.#closed ? closedError() : codedError('socket closed', 'UND_ERR_SOCKET')));
    socket.once('secureConnect', () => {
      socket.removeListener('error', onError);
      const waiting = settle();
      if (socket.alpnProtocol === 'h2') {
        const session = this.#track(connect(this.#origin, { createConnection: () => socket }));
        for (const { options, handler } of waiting) this.#start(session, options, handler);
        // Closed meanwhile: the requests that were waiting complete, then the session closes.
        if (this.#closed) session.close();
        return;
      }
      socket.destroy();
      if (fallback === undefined) {
        const error = codedError(
          `the endpoint does not speak HTTP/2 (ALPN: ${socket.alpnProtocol || 'none'})`,
          'EPROTO',
        );
        for (const { handler } of waiting) rejectDispatch(handler, error);
        return;
      }
      this.#http1 ??= fallback();
      for (const { options, handler } of waiting) this.#http1.dispatch(options, handler);
    });
  }

  /** Closes the session once its streams are over (and the HTTP/1.1 dispatcher, if any). */
  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closing = this.#close();
    if (callback === undefined) return closing;
    void closing.then(callback);
  }

  async #close(): Promise<void> {
    this.#closed = true;
    const session = this.#session;
    this.#session = undefined;
    await Promise.all([
      this.#http1?.close(),
      session === undefined || session.closed
        ? undefined
        : new Promise<void>((resolve) => session.close(() => resolve())),
    ]);
  }

  /** Closes the session now, failing the streams still open (and the requests waiting for a connection). */
  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(err?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const done = typeof err === 'function' ? err : callback;
    this.#closed = true;
    this.#connecting?.destroy();
    this.#session?.destroy();
    this.#session = undefined;
    const destroying = Promise.resolve(this.#http1?.destroy()).then(() => undefined);
    if (done === undefined) return destroying;
    void destroying.then(done);
  }
}
