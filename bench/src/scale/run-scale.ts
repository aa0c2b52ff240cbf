import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { watchCpuSteal } from '../cpu-steal.js';
import { runTargets } from '../harness.js';
import { ManagementClient } from '../management-client.js';
import type { ManagedProcess } from '../processes.js';
import type { TargetResult } from '../report.js';
import { PeakRssSampler, readVm } from '../rss.js';
import { SCENARIOS } from '../scenarios.js';
import { apimEnv, apimGatewayTarget, fixturesDir } from '../targets/apim-gateway.js';
import { UPSTREAM_BODY } from '../targets/nginx.js';
import { type BenchContext, type RunningTarget, type TargetSpec, tail, waitForOutput } from '../targets/target.js';
import { parseCpuList } from '../tools.js';
import type { WrkParams } from '../wrk.js';
import { parseFullSyncDone, type ScaleResult } from './scale-report.js';
import { passthroughDocument, scalePath, seedScaleStore, withPath } from './seed.js';

const ENV = '/management/v2/environments/DEFAULT';
/** How many extra APIs are deployed through the management API once the many are served. */
const NEW_DEPLOYS = 3;

/** Options of {@link runScale}. */
export interface ScaleRunOptions {
  apis: number;
  wrk: WrkParams;
  rounds: number;
  loadCpu: string;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `url` every `intervalMs` until it answers 200 with the upstream's body; returns the milliseconds from `from`
 * (a `performance.now()` value). Fails with the process's output when it exits or after `timeoutMs`.
 */
async function pollUntilServed(url: string, apim: ManagedProcess, from: number, intervalMs = 10, timeoutMs = 120_000) {
  let exited: number | string | undefined;
  void apim.exited.then((code) => {
    exited = code;
  });
  let last = 'no answer';
  while (performance.now() - from < timeoutMs) {
    if (exited !== undefined) throw new Error(`${apim.name} exited (${exited}) before serving ${url}${tail(apim)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = await response.text();
      if (response.status === 200 && body.includes(UPSTREAM_BODY)) return performance.now() - from;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(intervalMs);
  }
  throw new Error(`${url} was not served within ${timeoutMs} ms (last: ${last})${tail(apim)}`);
}

/**
 * The gateway with `apis` seeded APIs as a harness target: seeds the store, spawns `apim management` then `apim gateway` on it (pinned like
 * every target), measures the full sync, the RSS after it and a few new deploys through the management API, and
 * returns the running process with the URL of the middle API for the wrk rounds. The measures land in `result`.
 */
function scaleTarget(options: ScaleRunOptions, result: ScaleResult): TargetSpec {
  return {
    id: `apim ${options.apis} APIs`,
    description: `this gateway with ${options.apis} deployed passthrough APIs (apim gateway on a seeded SQLite store, the management API in its own process)`,
    async start(ctx: BenchContext): Promise<RunningTarget> {
      const dir = ctx.group.makeTempDir('apim-scale');
      const password = randomBytes(18).toString('base64url');
      const document = passthroughDocument(fixturesDir(ctx.repoRoot), ctx.upstreamUrl);
      result.seedSec = await seedScaleStore({
        dbFile: join(dir, 'apim.db'),
        count: options.apis,
        document,
        adminPassword: password,
      });
      options.log(`seeded ${options.apis} APIs in ${result.seedSec.toFixed(1)} s`);
      // info, for the gateway's own "full sync done" line (the per-API lines of a full load are at debug).
      const { env, ports } = await apimEnv(dir, password, 'info');
      const [gatewayPort, managementPort] = [ports.gateway, ports.management];
      const cli = join(ctx.repoRoot, 'packages', 'cli', 'bin', 'apim.js');
      const cpus = parseCpuList(ctx.targetCpu);
      // The management API runs in its own process, as in production: the gateway's memory and sync are measured
      // alone. It is started first (it migrates the schema) and only answers the new deploys.
      const management = ctx.group.spawn('apim management', process.execPath, [cli, 'management'], {
        cpu: ctx.targetCpu,
        env,
        cwd: dir,
      });
      await waitForOutput(management, 'APIM is running.', 60_000);
      const spawnedAt = Date.now();
      const t0 = performance.now();
      const apim = ctx.group.spawn(`apim ${options.apis} APIs`, process.execPath, [cli, 'gateway'], {
        cpu: ctx.targetCpu,
        env,
        cwd: dir,
      });
      const syncStolen = watchCpuSteal(cpus, [apim.pid]);
      let syncLines = '';
      let partial = '';
      apim.child.stdout?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.includes('full sync done')) syncLines += `${line}\n`;
      });
      const rss = new PeakRssSampler([apim.pid]).start();
      const stop = async () => {
        await ctx.group.stop(apim, 10_000);
        await ctx.group.stop(management, 10_000);
      };
      try {
        const base = `http://127.0.0.1:${gatewayPort}`;
        result.fullSyncMs = await pollUntilServed(`${base}${scalePath(options.apis - 1)}/`, apim, t0);
        result.syncCpuStolen = syncStolen();
        options.log(`full sync: ${options.apis} APIs served ${(result.fullSyncMs / 1000).toFixed(2)} s after spawn`);
        await waitForOutput(apim, 'APIM is running.', 60_000);
        for (let i = 0; i < 100 && !parseFullSyncDone(syncLines); i++) await sleep(10);
        const logged = parseFullSyncDone(syncLines);
        if (logged) result.fullSyncLogMs = logged.time - spawnedAt;
        await sleep(2000); // let the start settle (GC, local state file) before reading the resident memory
        result.rssAfterSyncBytes = readVm(apim.pid, 'VmRSS') ?? 0;
        rss.stop();
        options.log(`RSS after sync: ${(result.rssAfterSyncBytes / 1024 / 1024).toFixed(1)} MiB`);
        const client = new ManagementClient(`http://127.0.0.1:${managementPort}`, 'admin', password);
        for (let k = 1; k <= NEW_DEPLOYS; k++) {
          const path = k === 1 ? '/api-new' : `/api-new-${k}`;
          try {
            const api = await client.json<{ id: string }>(
              'POST',
              `${ENV}/apis/_import/definition`,
              withPath(document, path),
            );
            await client.json('POST', `${ENV}/apis/${api.id}/deployments`, { deploymentLabel: 'bench-scale' });
            const stolen = watchCpuSteal(cpus, [apim.pid]);
            await client.json('POST', `${ENV}/apis/${api.id}/_start`);
            const ms = await pollUntilServed(`${base}${path}/`, apim, performance.now(), 10, 30_000);
            result.newDeployMs.push(ms);
            result.deployCpuStolen = Math.max(result.deployCpuStolen, stolen());
            options.log(`new deploy ${path}: served ${Math.round(ms)} ms after the _start answer`);
          } catch (error) {
            result.errors.push(`new deploy ${path}: ${(error as Error).message}`);
            options.log(`new deploy ${path}: FAILED: ${(error as Error).message}`);
          }
          await sleep(500);
        }
        return { url: `${base}${scalePath(Math.floor(options.apis / 2))}/`, pids: [apim.pid], stop };
      } catch (error) {
        rss.stop();
        await stop();
        throw error;
      }
    },
  };
}

/**
 * The scale scenario: `apis` APIs in the store, then wrk on one of them against the single-API passthrough gateway,
 * both pinned to the target CPU, in interleaved rounds (the harness's).
 */
export async function runScale(ctx: BenchContext, options: ScaleRunOptions): Promise<ScaleResult> {
  const result: ScaleResult = {
    apis: options.apis,
    seedSec: 0,
    fullSyncMs: Number.NaN,
    syncCpuStolen: 0,
    rssAfterSyncBytes: 0,
    newDeployMs: [],
    deployCpuStolen: 0,
    errors: [],
  };
  const single = SCENARIOS.find((s) => s.id === 'passthrough-v4');
  if (!single) throw new Error('no passthrough-v4 scenario');
  const targets = [scaleTarget(options, result), apimGatewayTarget(single)];
  const [many, one] = (await runTargets(targets, ctx, {
    wrk: options.wrk,
    rounds: options.rounds,
    rate: 0,
    loadCpu: options.loadCpu,
    log: options.log,
  })) as [TargetResult, TargetResult];
  if (Number.isNaN(result.fullSyncMs)) throw new Error(`the ${options.apis}-API gateway did not start: ${many.reason}`);
  result.peakRssBytes = many.peakRssBytes;
  result.rps = many.wrk?.requestsPerSec;
  result.rpsCpuStolen = many.cpuStolen;
  result.singleRps = one.wrk?.requestsPerSec;
  result.singleCpuStolen = one.cpuStolen;
  for (const r of [many, one]) if (r.status !== 'ok') result.errors.push(`${r.id}: ${r.status}: ${r.reason ?? ''}`);
  for (const r of [many, one]) {
    const errors = r.wrk ? r.wrk.non2xx + Object.values(r.wrk.socketErrors).reduce((a, b) => a + b, 0) : 0;
    if (errors) result.errors.push(`${r.id}: ${errors} non-2xx answers or socket errors under load`);
  }
  return result;
}
