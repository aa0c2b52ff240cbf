import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../packages/cli/bin/apim.js', import.meta.url));

/** A free TCP port on 127.0.0.1 (the OS picks it; a tiny race remains, acceptable in tests). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface ApimProcess {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs `apim <command>` (the built CLI, as a user would) as a real child process and resolves once it prints that it
 * is running. Rejects with its output if it exits first or takes longer than `timeoutMs`.
 */
export async function startApim(
  command: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ApimProcess> {
  const child = spawn(process.execPath, [BIN, command], {
    env: { ...process.env, APIM_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit');
  const handle: ApimProcess = {
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = await exited;
      return code as number | null;
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (!output.includes('APIM is running.')) {
    if (child.exitCode !== null) throw new Error(`apim ${command} exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`apim ${command} did not start within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return handle;
}

/** Retries `fn` until it returns true or the time runs out; returns the elapsed milliseconds. */
export async function eventually(fn: () => Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<number> {
  const start = Date.now();
  let last: unknown;
  while (Date.now() - start < timeoutMs) {
    try {
      if (await fn()) return Date.now() - start;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
