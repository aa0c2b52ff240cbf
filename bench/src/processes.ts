import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A process started by the benchmark, with the tail of its output kept for error messages. */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Last few kilobytes of stdout and stderr, interleaved. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

/** Options of {@link ProcessGroup.spawn}. */
export interface SpawnOptions {
  /** CPU list for `taskset -c`; undefined runs the command unpinned. */
  cpu?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const TAIL_BYTES = 8192;

/**
 * Owns every process and temporary folder the benchmark creates, so that all of them go away on a normal exit, on
 * Ctrl+C and on a crash. Each child gets its own process group (`detached`), and is killed as a group, so the workers
 * nginx forks die with their master.
 *
 * @example
 * const group = new ProcessGroup();
 * group.installExitHandlers();
 * const p = group.spawn('upstream', 'nginx', ['-p', dir], { cpu: '0' });
 * await group.stop(p);
 */
export class ProcessGroup {
  private readonly processes = new Set<ManagedProcess>();
  private readonly tempDirs = new Set<string>();

  /** Starts `command` (through `taskset -c <cpu>` when a cpu is given); taskset execs, so the pid is the command's. */
  spawn(name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
    const [cmd, argv] =
      options.cpu === undefined ? [command, args] : ['taskset', ['-c', options.cpu, command, ...args]];
    const child = spawn(cmd, argv, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
      child.once('error', (error) => {
        keep(Buffer.from(`${error.message}\n`));
        resolve('spawn-error');
      });
    });
    const managed: ManagedProcess = { name, child, pid: child.pid ?? -1, output: () => tail, exited };
    this.processes.add(managed);
    void exited.then(() => this.processes.delete(managed));
    return managed;
  }

  /** Stops a process group: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(managed: ManagedProcess, graceMs = 3000): Promise<void> {
    if (!this.processes.has(managed)) return;
    signalGroup(managed.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(managed.pid, 'SIGKILL'), graceMs);
    await managed.exited;
    clearTimeout(timer);
    signalGroup(managed.pid, 'SIGKILL'); // workers that outlived their master
    this.processes.delete(managed);
  }

  /**
   * Runs a command to completion (tracked like any other process, so Ctrl+C stops it too) and returns its stdout;
   * rejects with the tail of the output on a non-zero exit.
   */
  async run(name: string, command: string, args: string[], options: SpawnOptions = {}): Promise<string> {
    const managed = this.spawn(name, command, args, options);
    const stdout: Buffer[] = [];
    managed.child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    const code = await managed.exited;
    if (code !== 0) throw new Error(`${name} exited with ${code}: ${managed.output().trim().slice(-1500)}`);
    return Buffer.concat(stdout).toString('utf8');
  }

  /** A fresh folder under os.tmpdir(), removed by {@link cleanup}. */
  makeTempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `apim-bench-${prefix}-`));
    this.tempDirs.add(dir);
    return dir;
  }

  /** Kills every remaining process group and removes every temporary folder, synchronously (safe in 'exit'). */
  cleanup(): void {
    for (const p of this.processes) signalGroup(p.pid, 'SIGKILL');
    this.processes.clear();
    for (const dir of this.tempDirs) rmSync(dir, { recursive: true, force: true });
    this.tempDirs.clear();
  }

  /** Cleans up on exit, on SIGINT/SIGTERM/SIGHUP (exit 130/143/129) and on an uncaught error (exit 1). */
  installExitHandlers(): void {
    process.once('exit', () => this.cleanup());
    const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
    for (const [signal, code] of Object.entries(codes)) {
      process.once(signal, () => {
        console.error(`\n${signal}: stopping every process the benchmark started`);
        this.cleanup();
        process.exit(code);
      });
    }
    const crash = (error: unknown) => {
      console.error(error);
      this.cleanup();
      process.exit(1);
    };
    process.once('uncaughtException', crash);
    process.once('unhandledRejection', crash);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
