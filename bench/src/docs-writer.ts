import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { type GoalCheck, markdownTable, verdict } from './report.js';
import type { MachineInfo } from './tools.js';

/** Everything a dated section of docs/performance.md shows. */
export interface RunSummary {
  date: Date;
  machine: MachineInfo;
  /** One sentence on the load: the wrk command, rounds, warm-ups, pinning. */
  load: string;
  rate: number;
  openLoopSec: number;
  mainRows: string[][];
  openLoopRows: string[][];
  goals: GoalCheck[];
  /** Scenario id -> why it was skipped. */
  skipped: [string, string][];
}

/** `git describe`-like label of the code measured: short commit plus "+dirty" when the tree has changes. */
export function gitLabel(cwd: string): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8' }).trim() !== '';
    return `${commit}${dirty ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** The Markdown of one dated results section. */
export function resultsSection(run: RunSummary, git: string): string {
  const m = run.machine;
  const stamp = `${run.date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const lines = [
    `## ${stamp} (${git})`,
    '',
    `- Machine: nproc ${m.nproc}, ${m.cpuModel}, Linux ${m.kernel}; node ${m.node}; ${m.nginx}; ${m.wrk}.`,
    `- Load: ${run.load}.`,
    '',
    markdownTable(run.mainRows),
    '',
  ];
  if (run.openLoopRows.length > 1) {
    lines.push(
      `Latency at a fixed ${run.rate} requests/s (open loop, ${run.openLoopSec} s per target in the same rounds, from each request's scheduled time):`,
      '',
      markdownTable(run.openLoopRows),
      '',
    );
  }
  lines.push('Goals:', '');
  if (run.goals.length === 0) lines.push('- not evaluated: the gateway or a reference target did not run');
  for (const g of run.goals) {
    const why = g.noisy ? ` (would ${g.pass ? 'pass' : 'fail'}; ${g.noisy})` : '';
    lines.push(`- ${verdict(g)} ${g.goal}: ${g.value}${why}`);
  }
  if (run.skipped.length) {
    lines.push('', 'Skipped scenarios:', '');
    for (const [id, reason] of run.skipped) lines.push(`- ${id}: ${reason}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Appends a section to docs/performance.md, creating the file with a title when it does not exist. */
export function appendToPerformanceDoc(file: string, section: string): void {
  if (!existsSync(file)) writeFileSync(file, '# Performance\n');
  appendFileSync(file, `\n${section}`);
}
