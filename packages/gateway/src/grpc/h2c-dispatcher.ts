/**
 * HTTP/2 to an endpoint through `node:http2`, for gRPC passthrough: undici only speaks HTTP/2 after ALPN (no h2c with
 * prior knowledge, RFC 9113 §3.3) and its HTTP/2 client can complete a response before the trailers arrived, so
 * `grpc://` and `grpcs://` targets (and `http://` ones with `http.version: HTTP_2`) go through one `node:http2`
 * client session per endpoint, opened on the first request, shared by every request, and opened again after it closed
 * or received a GOAWAY.
 *
 * It implements the part of undici's `Dispatcher` the {@link Exchange} uses: `dispatch(options, handler)` drives the
 * handler (`onRequestStart`, `onResponseStart`, `onResponseData`, `onResponseEnd` with the trailers,
 * `onResponseError`), with backpressure through the controller's pause/resume.
 */
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { pipeline, type Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import type { Dispatcher } from 'undici';
import { HOP_BY_HOP_HEADERS } from '../proxy-headers.js';

/** The upstream request headers for HTTP/2: pseudo-headers from the options, hop-by-hop ones dropped. */
export function h2RequestHeaders(options: Dispatcher.DispatchOptions, scheme: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {
    [constants.HTTP2_HEADER_METHOD]: options.method,
    [constants.HTTP2_HEADER_PATH]: options.path,
    [constants.HTTP2_HEADER_SCHEME]: scheme,
  };
  const raw = options.headers;
  const add = (name: string, value: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith(':') || HOP_BY_HOP_HEADERS.has(lower) || lower === 'transfer-encoding') return;
    if (lower === 'host') {
      out[constants.HTTP2_HEADER_AUTHORITY] = value;
      return;
    }
    const existing = out[lower];
    if (existing === undefined) out[lower] = value;
    else out[lower] = Array.isArray(existing) ? [...existing, value] : [String(existing), value];
  };
  if (Array.isArray(raw)) for (let i = 0; i < raw.length; i += 2) add(raw[i] as string, raw[i + 1] as string);
  else if (raw !== null && raw !== undefined) {
    for (const [name, value] of Object.entries(raw as Record<string, string | string[] | undefined>)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) add(name, item);
    }
  }
  // gRPC servers require `te: trailers` (the only TE value HTTP/2 allows, RFC 9113 §8.2.2); it is hop-by-hop.
  const type = out['content-type'];
  if (typeof type === 'string' && type.startsWith('application/grpc')) out.te = 'trailers';
  return out;
}

/** The fields of a gRPC Trailers-Only response that belong to the trailers. */
const TRAILERS_ONLY = ['grpc-status', 'grpc-message', 'grpc-status-details-bin'];

/** Response (or trailer) headers without pseudo-headers, as undici hands them to a handler. */
function plainHeaders(headers: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const name in headers) if (!name.startsWith(':')) out[name] = headers[name];
  return out;
}

class StreamController implements Dispatcher.DispatchController {
  aborted = false;
  paused = false;
  reason: Error | null = null;
  stream: ClientHttp2Stream | undefined = undefined;
  onAbort: ((reason: Error) => void) | undefined = undefined;

  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.onAbort?.(reason);
  }

  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
  }
}

export interface H2cDispatcherOptions {
  /** TLS options for `https:` origins (`grpcs://` targets): trust store, client certificate, verification. */
  tls?: ConnectionOptions;
  /** Connection timeout in ms (0: none). */
  connectTimeout?: number;
  /** No response headers, or no body data, within this many ms fails the request (0: none). */
  readTimeout?: number;
}

/** A minimal undici-compatible dispatcher over one reused `node:http2` cleartext session. */
export class H2cDispatcher {
  readonly #origin: string;
  readonly #options: H2cDispatcherOptions;
  readonly #https: boolean;
  #session: ClientHttp2Session | undefined;
  #closed = false;

  constructor(origin: string, options: H2cDispatcherOptions = {}) {
    this.#origin = origin;
    this.#options = options;
    this.#https = origin.startsWith('https:');
  }

  /** The current session, opened when there is none usable. */
  #current(): ClientHttp2Session {
    const existing = this.#session;
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    const { tls } = this.#options;
    const session = this.#https ? connect(this.#origin, { ...tls, ALPNProtocols: ['h2'] }) : connect(this.#origin);
    const forget = () => {
      if (this.#session === session) this.#session = undefined;
    };
    session.on('close', forget);
    session.on('goaway', forget);
    session.on('error', forget); // the streams get the error; the next request opens a new session
    const timeout = this.#options.connectTimeout ?? 0;
    if (timeout > 0) {
      const timer = setTimeout(() => {
        const error = Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
        session.destroy(error);
      }, timeout);
      timer.unref();
      session.once('connect', () => clearTimeout(timer));
      session.once('close', () => clearTimeout(timer));
    }
    this.#session = session;
    return session;
  }

  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const controller = new StreamController();
    let done = false;
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      handler.onResponseError?.(controller, error);
    };
    handler.onRequestStart?.(controller, {});
    if (controller.aborted) {
      fail(controller.reason!);
      return true;
    }
    if (this.#closed) {
      fail(Object.assign(new Error('the dispatcher is closed'), { code: 'UND_ERR_CLOSED' }));
      return true;
    }
    let stream: ClientHttp2Stream;
    try {
      const body = options.body;
      const endStream = body === null || body === undefined;
      stream = this.#current().request(h2RequestHeaders(options, this.#https ? 'https' : 'http'), { endStream });
      if (!endStream) {
        if (typeof body === 'string' || body instanceof Uint8Array) stream.end(body);
        else {
          pipeline(body as Readable, stream, (error) => {
            if (error) fail(error);
          });
        }
      }
    } catch (error) {
      fail(error as Error);
      return true;
    }
    controller.stream = stream;
    controller.onAbort = (reason) => {
      stream.close(constants.NGHTTP2_CANCEL);
      fail(reason);
    };
    const readTimeout = this.#options.readTimeout ?? 0;
    if (readTimeout > 0) {
      stream.setTimeout(readTimeout, () => {
        const error = Object.assign(new Error('upstream read timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
        stream.close(constants.NGHTTP2_CANCEL);
        fail(error);
      });
    }
    let trailers: Record<string, string | string[] | undefined> = {};
    stream.on('response', (headers, flags: number) => {
      if (done || controller.aborted) return;
      const status = Number(headers[constants.HTTP2_HEADER_STATUS]);
      const plain = plainHeaders(headers);
      // A gRPC "Trailers-Only" response (status in the one HEADERS frame, END_STREAM): the gateway's response
      // cannot end with its headers frame, so the status moves to the trailers, which gRPC clients read it from.
      if ((flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0 && plain['grpc-status'] !== undefined) {
        for (const name of TRAILERS_ONLY) {
          if (plain[name] === undefined) continue;
          trailers[name] = plain[name];
          delete plain[name];
        }
      }
      handler.onResponseStart?.(controller, status, plain, '');
      if (controller.paused) stream.pause();
    });
    stream.on('data', (chunk: Buffer) => {
      if (done || controller.aborted) return;
      handler.onResponseData?.(controller, chunk);
    });
    stream.on('trailers', (headers) => {
      trailers = { ...trailers, ...plainHeaders(headers) };
    });
    // Node emits 'trailers' on the next tick after the END_STREAM frame, possibly after 'end' (undici's h2 client
    // loses them that way): the response completes on 'close', once both were seen.
    let ended = false;
    stream.on('end', () => {
      ended = true;
    });
    stream.on('error', (error) => fail(error));
    stream.on('close', () => {
      if (done) return;
      const code = stream.rstCode;
      if (ended && !controller.aborted && (code === undefined || code === constants.NGHTTP2_NO_ERROR)) {
        done = true;
        handler.onResponseEnd?.(controller, trailers);
        return;
      }
      fail(Object.assign(new Error(`upstream stream closed (code ${code})`), { code: 'UND_ERR_SOCKET' }));
    });
    return true;
  }

  /** Closes the session once its streams are over. */
  async close(): Promise<void> {
    this.#closed = true;
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined || session.closed) return;
    await new Promise<void>((resolve) => session.close(resolve));
  }

  /** Closes the session now, failing the streams still open. */
  async destroy(): Promise<void> {
    this.#closed = true;
    this.#session?.destroy();
    this.#session = undefined;
  }
}
