import { type GoalCheck, markdownTable, NOISY_CPU_SHARE, verdict } from '../report.js';

/** What the 10,000-API scenario measured. Times in milliseconds, memory in bytes, shares from 0 to 1. */
export interface ScaleResult {
  apis: number;
  /** Seconds the seed took (not a goal). */
  seedSec: number;
  /** From spawning `apim gateway` to the gateway answering 200 on the last API. */
  fullSyncMs: number;
  /** From spawning to the gateway's own "full sync done" log line, when it printed one. */
  fullSyncLogMs?: number;
  /** Share of the target CPU used by other processes between spawn and the first 200. */
  syncCpuStolen: number;
  /** Resident memory (VmRSS) once the sync is done and the process has settled. */
  rssAfterSyncBytes: number;
  /** Peak resident memory (VmHWM) over the whole run, load included. */
  peakRssBytes?: number;
  /** From each `_start` answer to the gateway serving the new API with a 200, one per extra deploy. */
  newDeployMs: number[];
  /** Largest share of the target CPU used by other processes while waiting for a new deploy (informative only). */
  deployCpuStolen: number;
  /** Best-round requests/s on one API of the 10,000, and of the single-API gateway, with the CPU lost then. */
  rps?: number;
  rpsCpuStolen?: number;
  singleRps?: number;
  singleCpuStolen?: number;
  /** Why a part did not run. */
  errors: string[];
}

export const SCALE_GOALS = {
  minRatio: 0.95,
  maxRssBytes: 400 * 1024 * 1024,
  maxFullSyncMs: 5000,
  maxNewDeployMs: 1000,
} as const;

const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);
const sec = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
const share = (v: number) => `${Math.round(v * 100)} %`;

/**
 * Finds the gateway's "full sync done" line among pino JSON log lines and returns its time (epoch ms) and API count.
 *
 * @example parseFullSyncDone('{"level":30,"time":1700000000123,"apis":10000,"msg":"full sync done"}') // { time: 1700000000123, apis: 10000 }
 */
export function parseFullSyncDone(output: string): { time: number; apis: number } | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes('full sync done')) continue;
    try {
      const entry = JSON.parse(line) as { time?: unknown; apis?: unknown; msg?: unknown };
      if (entry.msg === 'full sync done' && typeof entry.time === 'number') {
        return { time: entry.time, apis: typeof entry.apis === 'number' ? entry.apis : Number.NaN };
      }
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}

/** The largest of the new-deploy times, `-` when none ran. */
export function worstDeploy(result: ScaleResult): number | undefined {
  return result.newDeployMs.length ? Math.max(...result.newDeployMs) : undefined;
}

/** The ratio of requests/s on one of the many APIs to the single-API gateway's. */
export function scaleRatio(result: ScaleResult): number | undefined {
  return result.rps !== undefined && result.singleRps ? result.rps / result.singleRps : undefined;
}

/** The scale table as rows of cells, header first. */
export function scaleRows(result: ScaleResult): string[][] {
  const ratio = scaleRatio(result);
  const syncLog = result.fullSyncLogMs === undefined ? '' : ` (log: ${sec(result.fullSyncLogMs)})`;
  const deploys = result.newDeployMs.map((ms) => `${Math.round(ms)}`).join(', ');
  return [
    [
      'APIs',
      'full sync',
      'RSS after sync',
      'peak RSS under load',
      'new deploy served',
      'req/s on one API',
      'single-API req/s',
      'ratio vs single-API',
      'noise (sync / load / single)',
    ],
    [
      result.apis.toLocaleString('en-US'),
      `${sec(result.fullSyncMs)}${syncLog}`,
      mib(result.rssAfterSyncBytes),
      mib(result.peakRssBytes),
      result.newDeployMs.length ? `${sec(worstDeploy(result))} (worst of ${deploys} ms)` : '-',
      result.rps === undefined ? '-' : Math.round(result.rps).toLocaleString('en-US'),
      result.singleRps === undefined ? '-' : Math.round(result.singleRps).toLocaleString('en-US'),
      ratio === undefined ? '-' : `${ratio.toFixed(2)}x`,
      [result.syncCpuStolen, result.rpsCpuStolen, result.singleCpuStolen]
        .map((v) => (v === undefined ? '-' : share(v)))
        .join(' / '),
    ],
  ];
}

function noisy(...parts: [string, number | undefined][]): string | undefined {
  const hit = parts.filter(([, v]) => (v ?? 0) > NOISY_CPU_SHARE);
  return hit.length ? hit.map(([what, v]) => `${what} lost ${share(v ?? 0)} of its CPU`).join(', ') : undefined;
}

/**
 * The scale goals: requests/s on one API of many >= 0.95x the single-API gateway, peak RSS < 400 MiB, full sync < 5 s,
 * a new deploy served < 1 s. A check is noisy when other processes took more than 10 % of the target CPU while it
 * was measured. Memory is not affected by CPU noise, and the deploy wait leaves the target idle (others using its
 * idle time take nothing from it), so those two checks never are.
 */
export function checkScaleGoals(result: ScaleResult): GoalCheck[] {
  const checks: GoalCheck[] = [];
  const ratio = scaleRatio(result);
  if (ratio !== undefined) {
    checks.push({
      goal: `requests/s on one of ${result.apis} APIs >= ${SCALE_GOALS.minRatio}x the single-API gateway`,
      value: `${ratio.toFixed(2)}x`,
      pass: ratio >= SCALE_GOALS.minRatio,
      noisy: noisy([`${result.apis} APIs`, result.rpsCpuStolen], ['single API', result.singleCpuStolen]),
    });
  }
  const rss = Math.max(result.peakRssBytes ?? 0, result.rssAfterSyncBytes);
  checks.push({
    goal: `peak RSS with ${result.apis} APIs (after sync and under load) < ${mib(SCALE_GOALS.maxRssBytes)}`,
    value: mib(rss),
    pass: rss < SCALE_GOALS.maxRssBytes,
  });
  checks.push({
    goal: `full sync of ${result.apis} APIs (spawn to the last API answering) < ${sec(SCALE_GOALS.maxFullSyncMs)}`,
    value: sec(result.fullSyncMs),
    pass: result.fullSyncMs < SCALE_GOALS.maxFullSyncMs,
    noisy: noisy(['the sync', result.syncCpuStolen]),
  });
  const deploy = worstDeploy(result);
  if (deploy !== undefined) {
    checks.push({
      goal: `a new deploy served (from the _start answer) < ${sec(SCALE_GOALS.maxNewDeployMs)}`,
      value: `${sec(deploy)} (worst of ${result.newDeployMs.length})`,
      pass: deploy < SCALE_GOALS.maxNewDeployMs,
    });
  }
  return checks;
}

/** The Markdown of the dated scale section of docs/performance.md. */
export function scaleSection(options: {
  date: Date;
  git: string;
  machine: string;
  method: string[];
  result: ScaleResult;
  goals: GoalCheck[];
}): string {
  const stamp = `${options.date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const lines = [
    `## ${stamp} (${options.git}): ${options.result.apis.toLocaleString('en-US')} APIs`,
    '',
    `- Machine: ${options.machine}.`,
    ...options.method.map((m) => `- ${m}`),
    '',
    markdownTable(scaleRows(options.result)),
    '',
    'Goals:',
    '',
  ];
  for (const g of options.goals) {
    const why = g.noisy ? ` (would ${g.pass ? 'pass' : 'fail'}; ${g.noisy})` : '';
    lines.push(`- ${verdict(g)} ${g.goal}: ${g.value}${why}`);
  }
  if (options.result.errors.length) {
    lines.push('', 'Notes:', '');
    for (const e of options.result.errors) lines.push(`- ${e.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  return `${lines.join('\n')}\n`;
}
