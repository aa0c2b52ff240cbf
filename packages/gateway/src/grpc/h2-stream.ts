/**
 * One request over a `node:http2` client session, driven as undici drives a dispatch handler (`onRequestStart`,
 * `onResponseStart`, `onResponseData`, `onResponseEnd` with the trailers, `onResponseError`), for the
 * {@link H2cDispatcher}.
 *
 * Both directions stream with backpressure: the request body is piped into the stream (its end half-closes the stream,
 * END_STREAM, RFC 9113 §8.1, while the response keeps flowing, as gRPC client-streaming and bidirectional calls need),
 * and the response is paused through the controller while the consumer cannot take more.
 */
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { Readable } from 'node:stream';
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

/** The controller handed to the handler: abort, and pause/resume of the response body. */
export class StreamController implements Dispatcher.DispatchController {
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

/** Fails a dispatch that never reached a stream (closed dispatcher, connection error). */
export function rejectDispatch(handler: Dispatcher.DispatchHandler, error: Error): void {
  const controller = new StreamController();
  handler.onRequestStart?.(controller, {});
  handler.onResponseError?.(controller, error);
}

/** The error codes a handler sees, as undici's (mapped to 502 / 504 by the gateway). */
export function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * Sends a streamed request body: piped (backpressure), its end half-closes the stream. A body error cancels the
 * stream and fails the request. When the stream closes first (the upstream answered without reading everything, or
 * the call was aborted), the rest of the body is read and dropped, as Node's server does with an unread request.
 */
function sendBody(body: unknown, stream: ClientHttp2Stream, fail: (error: Error) => void): void {
  const source =
    typeof (body as Readable).pipe === 'function'
      ? (body as Readable)
      : Readable.from(body as AsyncIterable<Buffer>, { objectMode: false });
  const onError = (error: Error) => {
    fail(error);
    if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
  };
  source.on('error', onError);
  stream.once('close', () => {
    source.unpipe(stream);
    source.removeListener('error', onError);
    if (!source.readableEnded && !source.destroyed) source.on('error', ignore).resume();
  });
  source.pipe(stream);
}

const ignore = () => undefined;

function closeAnswered(stream: ClientHttp2Stream): void {
  if (!stream.closed) stream.close(constants.NGHTTP2_NO_ERROR);
}

/** Settings of {@link startStream}. */
export interface StreamSettings {
  /** `:scheme` of the requests. */
  readonly scheme: 'http' | 'https';
  /** No response headers, or no body data either way, within this many ms fails the request (0: none). */
  readonly readTimeout: number;
}

/** Opens a stream on `session` for one dispatch and drives `handler` until the response ends or fails. */
export function startStream(
  session: ClientHttp2Session,
  options: Dispatcher.DispatchOptions,
  handler: Dispatcher.DispatchHandler,
  settings: StreamSettings,
): void {
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
    return;
  }
  let stream: ClientHttp2Stream;
  try {
    const body = options.body;
    const endStream = body === null || body === undefined;
    stream = session.request(h2RequestHeaders(options, settings.scheme), { endStream });
    if (!endStream) {
      if (typeof body === 'string' || body instanceof Uint8Array) stream.end(body);
      else sendBody(body, stream, fail);
    }
  } catch (error) {
    fail(error as Error);
    return;
  }
  controller.stream = stream;
  controller.onAbort = (reason) => {
    fail(reason);
    if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
  };
  if (settings.readTimeout > 0) {
    stream.setTimeout(settings.readTimeout, () => {
      fail(codedError('upstream read timeout', 'UND_ERR_HEADERS_TIMEOUT'));
      stream.close(constants.NGHTTP2_CANCEL);
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
    // The upstream answered in full before the request body was all sent (a gRPC error status in the middle of a
    // client stream): the rest is not wanted (RFC 9113 §8.1), the stream is closed with NO_ERROR once the trailers,
    // emitted on a later tick, are in.
    if (!stream.writableFinished) setImmediate(closeAnswered, stream);
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
    fail(codedError(`upstream stream closed (code ${code})`, 'UND_ERR_SOCKET'));
  });
}
