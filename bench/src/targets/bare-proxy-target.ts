import { join } from 'node:path';
import { freePort } from '../processes.js';
import { UPSTREAM_BODY } from './nginx.js';
import { type BenchContext, type RunningTarget, readyOrStop, type TargetSpec, waitForHttp } from './target.js';

/** (c) The bare Node proxy (targets/bare-proxy.ts) in its own process: the reference every ratio divides by. */
export const bareProxyTarget: TargetSpec = {
  id: 'bare-proxy',
  description: 'node:http + one undici Pool, body streamed back (the Node reference)',
  openLoop: true,
  async start(ctx: BenchContext): Promise<RunningTarget> {
    const port = await freePort();
    const script = join(ctx.repoRoot, 'bench', 'dist', 'targets', 'bare-proxy.js');
    const process = ctx.group.spawn(
      'bare-proxy',
      globalThis.process.execPath,
      [script, '--port', String(port), '--upstream', ctx.upstreamUrl],
      { cpu: ctx.targetCpu },
    );
    const url = `http://127.0.0.1:${port}/passthrough`;
    await readyOrStop(ctx.group, process, waitForHttp(url, { process, expectBody: UPSTREAM_BODY }));
    return { url, pids: [process.pid], stop: () => ctx.group.stop(process) };
  },
};
