/**
 * Helpers of the sync tests: a GatewaySync on its own registry (no HTTP server), temp directories, a logger whose
 * lines the test can read, and a poll-until.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '@apim/core';
import { type Logger, pino } from 'pino';
import { ApiRegistry, GatewaySync, type GatewaySyncOptions } from '../src/index.js';
import { snapshot } from './helpers.js';

/** Cleanups run after each test, last registered first. */
export const cleanups: (() => Promise<void>)[] = [];

export async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** A fresh directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'apim-sync-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A logger at debug level whose records land in `lines`. */
export function capturingLogger(): { logger: Logger; lines: { level: number; msg: string; [key: string]: unknown }[] } {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** A started GatewaySync on a new registry, stopped (and its registry closed) after the test. */
export async function startSync(
  options: Omit<GatewaySyncOptions, 'registry'>,
): Promise<{ sync: GatewaySync; registry: ApiRegistry }> {
  const registry = new ApiRegistry();
  const sync = new GatewaySync({
    syncIntervalMs: 50,
    maxRetryDelayMs: 200,
    localStateDebounceMs: 20,
    ...options,
    registry,
  });
  cleanups.push(async () => {
    await sync.stop();
    await registry.close(0);
  });
  await sync.start();
  return { sync, registry };
}

/** Polls `check` every 20 ms until it returns true; fails after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition') {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A snapshot served at `/<path>` with API and plan tags. */
export function taggedSnapshot(
  path: string,
  apiTags: string[] = [],
  planTags: string[][] = [[]],
  target = 'http://127.0.0.1:9',
): JsonObject {
  const base = snapshot({ paths: [{ path: `/${path}` }], targets: [target] });
  const [plan] = base.plans as JsonObject[];
  return {
    api: { ...(base.api as JsonObject), tags: apiTags },
    plans: planTags.map((tags, i) => ({ ...plan, id: `plan-${i}`, name: `Plan ${i}`, tags })),
  };
}
