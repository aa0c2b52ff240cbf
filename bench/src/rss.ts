import { readdirSync, readFileSync } from 'node:fs';

/** Reads one `Vm*` field (in kB in /proc) of a process as bytes; undefined when the process is gone. */
export function readVm(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The pid and every descendant of it, read from /proc/<pid>/task/<tid>/children. */
export function processTree(root: number): number[] {
  const seen: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift() as number;
    if (seen.includes(pid)) continue;
    seen.push(pid);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
        if (children) queue.push(...children.split(/\s+/).map(Number));
      } catch {
        // thread exited
      }
    }
  }
  return seen;
}

/**
 * Peak resident memory of a target: every 100 ms it walks the process tree under the target's pids (nginx workers,
 * forked Node workers) and remembers each process's high-water mark (VmHWM) and the largest sum of current RSS.
 * The peak it reports is the sum of the high-water marks, which is what the machine had to provide in the worst case.
 *
 * @example
 * const rss = new PeakRssSampler([pid]).start();
 * // ... load ...
 * const bytes = rss.stop();
 */
export class PeakRssSampler {
  private readonly hwm = new Map<number, number>();
  private maxRssSum = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly roots: number[],
    private readonly intervalMs = 100,
  ) {}

  /** Starts sampling (one sample right away). */
  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Takes one sample; useful right before the processes stop. */
  sample(): void {
    let rssSum = 0;
    for (const root of this.roots) {
      for (const pid of processTree(root)) {
        const hwm = readVm(pid, 'VmHWM');
        if (hwm !== undefined) this.hwm.set(pid, Math.max(hwm, this.hwm.get(pid) ?? 0));
        rssSum += readVm(pid, 'VmRSS') ?? 0;
      }
    }
    this.maxRssSum = Math.max(this.maxRssSum, rssSum);
  }

  /** Stops sampling and returns the peak in bytes (the sum of VmHWM, or the largest RSS sum if that is larger). */
  stop(): number {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    let hwmSum = 0;
    for (const value of this.hwm.values()) hwmSum += value;
    return Math.max(hwmSum, this.maxRssSum);
  }
}
