/**
 * Helpers for the server-level tests: a gateway server with options around a registry, a raw TCP client (node:net)
 * for malformed and oversized input, and an observer that records what it is told.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import type { JsonObject } from '@apim/core';
import { type EchoUpstream, startEchoUpstream } from '@apim/testkit';
import { pino } from 'pino';
import {
  ApiRegistry,
  type CompletedRequest,
  createGatewayServer,
  type GatewayServerOptions,
  type RequestObserver,
} from '../src/index.js';
import type { PlanSecurityOptions } from '../src/plan-resolver.js';
import { runtime } from './helpers.js';

/** Cleanups run after each test, last registered first. */
export function cleanupList() {
  let cleanups: (() => Promise<void>)[] = [];
  return {
    add(cleanup: () => Promise<void>) {
      cleanups.push(cleanup);
    },
    async run() {
      for (const cleanup of cleanups.reverse()) await cleanup();
      cleanups = [];
    },
  };
}

export type Cleanups = ReturnType<typeof cleanupList>;

export interface OptionsGateway {
  port: number;
  registry: ApiRegistry;
  server: Server;
}

/** A gateway server on a free port with the given options and snapshots deployed. */
export async function startOptionsGateway(
  cleanups: Cleanups,
  options: GatewayServerOptions,
  ...definitions: JsonObject[]
): Promise<OptionsGateway> {
  const registry = new ApiRegistry();
  for (const definition of definitions) registry.deploy(runtime(definition));
  return serve(cleanups, registry, options);
}

/** A gateway server on a free port serving snapshots compiled with plan security (subscriptions, keys, JWT...). */
export async function startSecuredGateway(
  cleanups: Cleanups,
  security: PlanSecurityOptions,
  ...definitions: JsonObject[]
): Promise<OptionsGateway> {
  const registry = new ApiRegistry();
  for (const definition of definitions) registry.deploy(runtime(definition, undefined, 1, { security }));
  return serve(cleanups, registry, {});
}

async function serve(
  cleanups: Cleanups,
  registry: ApiRegistry,
  options: GatewayServerOptions,
): Promise<OptionsGateway> {
  const server = createGatewayServer(registry, pino({ level: 'silent' }), options);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.add(async () => {
    server.closeAllConnections();
    server.close();
    await registry.close(1_000);
  });
  return { port: (server.address() as AddressInfo).port, registry, server };
}

/** An echo upstream closed after the test. */
export async function echoUpstream(
  cleanups: Cleanups,
  handler?: Parameters<typeof startEchoUpstream>[0],
): Promise<EchoUpstream> {
  const upstream = await startEchoUpstream(handler);
  cleanups.add(() => upstream.close());
  return upstream;
}

export interface RawResult {
  /** Everything the gateway sent, as latin1 text. */
  text: string;
  /** The status of the first response, 0 when none came. */
  status: number;
  /** The connection was closed by the gateway (before `waitMs` ran out). */
  closed: boolean;
  /** How long until the connection closed or the wait ran out, in ms. */
  elapsedMs: number;
}

/**
 * Opens a TCP connection, writes `chunks` (strings are sent as latin1, a number waits that many ms), and collects what
 * comes back until the gateway closes the connection or `waitMs` passes.
 */
export function rawRequest(port: number, chunks: (string | Buffer | number)[], waitMs = 2_000): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: status ? Number(status[1]) : 0, closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    void (async () => {
      for (const chunk of chunks) {
        if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
        else if (!socket.destroyed) socket.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
      }
    })();
  });
}

/** The value of a header in a raw response text (first occurrence, case-insensitive), or undefined. */
export function rawHeader(text: string, name: string): string | undefined {
  const head = text.split('\r\n\r\n')[0] ?? '';
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (line.slice(0, colon).toLowerCase() === name.toLowerCase()) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** The body of the first response in a raw response text. */
export const rawBody = (text: string) => text.slice(text.indexOf('\r\n\r\n') + 4);

/** An observer keeping every completed request, with a way to wait for the next ones. */
export class RecordingObserver implements RequestObserver {
  readonly completed: CompletedRequest[] = [];

  requestCompleted(request: CompletedRequest): void {
    this.completed.push(request);
  }

  /** Waits until `count` requests have completed. */
  async waitFor(count: number, timeoutMs = 3_000): Promise<CompletedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.completed.length < count) {
      if (Date.now() > deadline) throw new Error(`observer saw ${this.completed.length} of ${count} requests`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.completed;
  }
}

/** Polls until `condition` holds. */
export async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
