import type { ManagedProcess, ProcessGroup } from '../processes.js';

/** What every target needs to start. */
export interface BenchContext {
  group: ProcessGroup;
  /** CPU list every target server is pinned to (`taskset -c`). */
  targetCpu: string;
  /** Base URL of the shared nginx upstream, e.g. http://127.0.0.1:41234 (no trailing slash). */
  upstreamUrl: string;
  /** Absolute path of the repository root. */
  repoRoot: string;
}

/** A target that is up and answering. */
export interface RunningTarget {
  /** The URL the load generators request. */
  url: string;
  /** Root pids whose process trees are the target (for peak RSS). */
  pids: number[];
  /** Headers every request carries (an API key, ...). */
  headers?: Record<string, string>;
  stop(): Promise<void>;
}

/** One row of the benchmark. */
export interface TargetSpec {
  id: string;
  /** One sentence for the table legend and docs. */
  description: string;
  /** Why the target is not run; it is still listed. */
  skip?: string;
  /** Whether the fixed-rate (open-loop) latency is also measured on it. */
  openLoop?: boolean;
  start(ctx: BenchContext): Promise<RunningTarget>;
}

/**
 * Polls `url` until it answers `expectStatus` (and optionally a body containing `expectBody`), failing early with the
 * process's output if the process exits first.
 */
export async function waitForHttp(
  url: string,
  options: {
    process?: ManagedProcess;
    timeoutMs?: number;
    headers?: Record<string, string>;
    expectStatus?: number;
    expectBody?: string;
  } = {},
): Promise<void> {
  const { timeoutMs = 20_000, expectStatus = 200 } = options;
  const deadline = Date.now() + timeoutMs;
  let exited: number | string | undefined;
  void options.process?.exited.then((code) => {
    exited = code;
  });
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new Error(`${options.process?.name} exited (${exited}) before answering: ${tail(options.process)}`);
    }
    try {
      const response = await fetch(url, { headers: options.headers, signal: AbortSignal.timeout(2000) });
      const body = await response.text();
      if (response.status === expectStatus && (!options.expectBody || body.includes(options.expectBody))) return;
      last = `HTTP ${response.status} ${body.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${url} did not answer ${expectStatus} within ${timeoutMs} ms (last: ${last})${tail(options.process)}`,
  );
}

/** The last lines a process printed, for error messages. */
export function tail(process: ManagedProcess | undefined, lines = 15): string {
  const text = process?.output().trim();
  return text ? `\n--- ${process?.name} output (tail) ---\n${text.split('\n').slice(-lines).join('\n')}` : '';
}

/** Resolves when `text` appears in the process's output; rejects on exit or timeout. */
export function waitForOutput(process: ManagedProcess, text: string, timeoutMs = 30_000): Promise<void> {
  if (process.output().includes(text)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let seen = process.output().slice(-text.length);
    const { stdout, stderr } = process.child;
    const done = (error?: Error) => {
      clearTimeout(timer);
      stdout?.off('data', onData);
      stderr?.off('data', onData);
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-(text.length + 65_536));
      if (seen.includes(text)) done();
    };
    const timer = setTimeout(
      () => done(new Error(`${process.name} did not print "${text}" within ${timeoutMs} ms${tail(process)}`)),
      timeoutMs,
    );
    stdout?.on('data', onData);
    stderr?.on('data', onData);
    void process.exited.then((code) =>
      done(new Error(`${process.name} exited (${code}) before printing "${text}"${tail(process)}`)),
    );
  });
}

/** Awaits a readiness check and stops the process if it fails, so a broken target never lingers on the target CPU. */
export async function readyOrStop(group: ProcessGroup, process: ManagedProcess, ready: Promise<void>): Promise<void> {
  try {
    await ready;
  } catch (error) {
    await group.stop(process);
    throw error;
  }
}
