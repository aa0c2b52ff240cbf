import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type ManagedProcess, type ProcessGroup } from '../processes.js';
import { type BenchContext, type RunningTarget, readyOrStop, type TargetSpec, waitForHttp } from './target.js';

/** The body the upstream returns for any path. */
export const UPSTREAM_BODY = '{"message":"hello"}';

/** The nginx.conf head every instance shares: one worker, foreground master, everything inside `prefix`. */
function mainConfig(prefix: string, server: string, httpExtra = ''): string {
  return `worker_processes 1;
daemon off;
master_process on;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
${httpExtra}
  server {
${server}
  }
}
`;
}

/** nginx.conf of the upstream: `{"message":"hello"}` as application/json for any path. */
export function upstreamConfig(prefix: string, port: number): string {
  return mainConfig(
    prefix,
    `    listen 127.0.0.1:${port};
    location / {
      default_type application/json;
      return 200 '${UPSTREAM_BODY}';
    }`,
  );
}

/** nginx.conf of the reverse proxy: an upstream block with 64 idle keep-alive connections, HTTP/1.1 to it. */
export function reverseProxyConfig(prefix: string, port: number, upstreamUrl: string): string {
  return mainConfig(
    prefix,
    `    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }`,
    `  upstream backend {
    server ${new URL(upstreamUrl).host};
    keepalive 64;
  }`,
  );
}

/** Writes a config into a fresh temporary prefix and starts nginx on it, pinned to `cpu`. */
export function spawnNginx(group: ProcessGroup, name: string, config: (prefix: string) => string, cpu: string) {
  const prefix = group.makeTempDir(name);
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  const file = join(prefix, 'nginx.conf');
  writeFileSync(file, config(prefix));
  return group.spawn(name, 'nginx', ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', file], { cpu });
}

/** Starts an nginx upstream on a free port and waits until it answers. */
export async function startUpstream(
  group: ProcessGroup,
  cpu: string,
  name = 'upstream',
): Promise<{ url: string; process: ManagedProcess }> {
  const port = await freePort();
  const process = spawnNginx(group, name, (prefix) => upstreamConfig(prefix, port), cpu);
  const url = `http://127.0.0.1:${port}`;
  await readyOrStop(group, process, waitForHttp(`${url}/`, { process, expectBody: UPSTREAM_BODY }));
  return { url, process };
}

/** (a) The upstream itself: a second nginx instance with the same config, pinned to the target CPU. */
export const upstreamTarget: TargetSpec = {
  id: 'upstream',
  description: 'the nginx upstream itself, loaded directly (the ceiling)',
  async start(ctx: BenchContext): Promise<RunningTarget> {
    const { url, process } = await startUpstream(ctx.group, ctx.targetCpu, 'upstream-direct');
    return { url: `${url}/passthrough`, pids: [process.pid], stop: () => ctx.group.stop(process) };
  },
};

/** (b) nginx as a reverse proxy with one worker and keep-alive to the upstream. */
export const nginxProxyTarget: TargetSpec = {
  id: 'nginx-proxy',
  description: 'nginx reverse proxy, one worker, keepalive 64 to the upstream',
  async start(ctx: BenchContext): Promise<RunningTarget> {
    const port = await freePort();
    const process = spawnNginx(
      ctx.group,
      'nginx-proxy',
      (p) => reverseProxyConfig(p, port, ctx.upstreamUrl),
      ctx.targetCpu,
    );
    const url = `http://127.0.0.1:${port}/passthrough`;
    await readyOrStop(ctx.group, process, waitForHttp(url, { process, expectBody: UPSTREAM_BODY }));
    return { url, pids: [process.pid], stop: () => ctx.group.stop(process) };
  },
};
