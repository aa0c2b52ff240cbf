import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { ProcessGroup } from './processes.js';

/** True when `command -v <name>` finds the command. */
export function commandExists(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Installs the Debian packages `nginx` and `wrk` when their commands are missing (the only thing the benchmark ever
 * installs). Tries `apt-get install` first and runs `apt-get update` only if that fails.
 */
export async function ensureTools(group: ProcessGroup): Promise<void> {
  const missing = ['nginx', 'wrk'].filter((name) => !commandExists(name));
  if (missing.length === 0) return;
  console.log(`Installing ${missing.join(' and ')} with apt-get...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => group.run('apt-get install', 'apt-get', ['install', '-y', '-q', ...missing], { env });
  try {
    await install();
  } catch {
    await group.run('apt-get update', 'apt-get', ['update', '-q'], { env });
    await install();
  }
  const still = missing.filter((name) => !commandExists(name));
  if (still.length) throw new Error(`${still.join(', ')} still missing after apt-get install`);
}

/** What the results depend on, written above every dated section of docs/performance.md. */
export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  node: string;
  nginx: string;
  wrk: string;
  kernel: string;
}

/** First non-empty line a command prints on stdout or stderr (nginx -v and wrk -v print on stderr). */
function firstLine(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const text = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  return (
    text
      .split('\n')
      .find((line) => line.trim())
      ?.trim() ?? ''
  );
}

/** nproc, the CPU model from /proc/cpuinfo, and the versions of node, nginx, wrk and the kernel. */
export function machineInfo(): MachineInfo {
  let cpuModel = 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) cpuModel = match[1].trim();
  } catch {
    // not Linux
  }
  return {
    nproc: Number(firstLine('nproc', [])) || availableParallelism(),
    cpuModel,
    node: process.version,
    nginx: firstLine('nginx', ['-v']).replace(/^nginx version: /, ''),
    wrk: firstLine('wrk', ['-v']).replace(/\s*Copyright.*$/, ''),
    kernel: firstLine('uname', ['-r']),
  };
}

/** The CPUs this process may run on, from /proc/self/status `Cpus_allowed_list` (e.g. "0-1" -> [0, 1]). */
export function allowedCpus(): number[] {
  try {
    const match = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (!match?.[1]) throw new Error('no Cpus_allowed_list');
    return parseCpuList(match[1]);
  } catch {
    return Array.from({ length: availableParallelism() }, (_, i) => i);
  }
}

/** Parses a Linux CPU list such as "0-2,5" into [0, 1, 2, 5]. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) continue;
    for (let cpu = from; cpu <= (to ?? from); cpu++) cpus.push(cpu);
  }
  return cpus;
}
