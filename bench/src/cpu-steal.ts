import { readFileSync } from 'node:fs';
import { processTree } from './rss.js';

/** Busy and total jiffies of some CPUs, from /proc/stat. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/**
 * Sums the `cpuN` lines of /proc/stat for the given CPUs: busy = user + nice + system + irq + softirq + steal,
 * total = busy + idle + iowait.
 *
 * @example cpuTimes(readFileSync('/proc/stat', 'utf8'), [0])
 */
export function cpuTimes(procStat: string, cpus: number[]): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const line of procStat.split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match?.[2] || !cpus.includes(Number(match[1]))) continue;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = match[2]
      .trim()
      .split(/\s+/)
      .map(Number);
    const b = user + nice + system + irq + softirq + steal;
    busy += b;
    total += b + idle + iowait;
  }
  return { busy, total };
}

/** utime + stime (jiffies, all threads) of a process from its /proc/<pid>/stat line; 0 when unreadable. */
export function processJiffies(statLine: string): number {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  // after "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

function treeJiffies(roots: number[]): number {
  let sum = 0;
  for (const root of roots) {
    for (const pid of processTree(root)) {
      try {
        sum += processJiffies(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        // exited
      }
    }
  }
  return sum;
}

/**
 * Starts watching how much of the target CPUs was used by anything other than the target's processes (other
 * engineers' builds and tests on a shared machine, kernel threads). Call the returned function at the end of the
 * measured interval: it gives that share, from 0 to 1. It is the time taken from a saturated target.
 *
 * @example const stolen = watchCpuSteal([0], [pid]); await load(); console.log(stolen());
 */
export function watchCpuSteal(cpus: number[], pids: number[]): () => number {
  const read = () => ({ cpu: cpuTimes(readFileSync('/proc/stat', 'utf8'), cpus), own: treeJiffies(pids) });
  const before = read();
  return () => {
    const after = read();
    const total = after.cpu.total - before.cpu.total;
    if (total <= 0) return 0;
    const foreign = after.cpu.busy - before.cpu.busy - (after.own - before.own);
    return Math.min(1, Math.max(0, foreign / total));
  };
}
