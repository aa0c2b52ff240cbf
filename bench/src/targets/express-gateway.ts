import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from '../processes.js';
import { UPSTREAM_BODY } from './nginx.js';
import { type BenchContext, type RunningTarget, readyOrStop, type TargetSpec, waitForHttp } from './target.js';

/** gateway.config.yml: one HTTP port, an apiEndpoint on every path, one serviceEndpoint, a pipeline with `proxy`. */
export function expressGatewayConfig(port: number, upstreamUrl: string): string {
  return `http:
  port: ${port}
  hostname: 127.0.0.1
apiEndpoints:
  all:
    host: '*'
    paths: '*'
serviceEndpoints:
  upstream:
    url: '${upstreamUrl}'
policies:
  - proxy
pipelines:
  passthrough:
    apiEndpoints:
      - all
    policies:
      - proxy:
          - action:
              serviceEndpoint: upstream
`;
}

/** system.config.yml: the in-memory (emulated Redis) database, no admin API, defaults elsewhere. */
export const EXPRESS_GATEWAY_SYSTEM_CONFIG = `db:
  redis:
    emulate: true
    namespace: EG
crypto:
  cipherKey: benchCipherKey
  algorithm: aes256
  saltRounds: 10
session:
  secret: bench
  resave: false
  saveUninitialized: false
accessTokens:
  timeToExpiry: 7200000
refreshTokens:
  timeToExpiry: 7200000
authorizationCodes:
  timeToExpiry: 300000
`;

/**
 * (d) express-gateway 1.16 from npm: a generated config folder (gateway.config.yml, system.config.yml, the models
 * express-gateway ships) and a generated CommonJS launcher `require('express-gateway')().load(dir).run()`.
 */
export const expressGatewayTarget: TargetSpec = {
  id: 'express-gateway',
  description: 'express-gateway 1.16.11 (npm), one pipeline with the proxy policy',
  async start(ctx: BenchContext): Promise<RunningTarget> {
    const require = createRequire(join(ctx.repoRoot, 'bench', 'package.json'));
    const entry = require.resolve('express-gateway');
    const dir = ctx.group.makeTempDir('express-gateway');
    const port = await freePort();
    mkdirSync(join(dir, 'models'));
    cpSync(join(dirname(entry), 'config', 'models'), join(dir, 'models'), { recursive: true });
    writeFileSync(join(dir, 'gateway.config.yml'), expressGatewayConfig(port, ctx.upstreamUrl));
    writeFileSync(join(dir, 'system.config.yml'), EXPRESS_GATEWAY_SYSTEM_CONFIG);
    const launcher = join(dir, 'launcher.cjs');
    writeFileSync(launcher, `require(${JSON.stringify(entry)})().load(${JSON.stringify(dir)}).run();\n`);
    const process = ctx.group.spawn('express-gateway', globalThis.process.execPath, [launcher], {
      cpu: ctx.targetCpu,
      cwd: dir,
      env: { ...globalThis.process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
    });
    const url = `http://127.0.0.1:${port}/passthrough`;
    await readyOrStop(ctx.group, process, waitForHttp(url, { process, expectBody: UPSTREAM_BODY, timeoutMs: 30_000 }));
    return { url, pids: [process.pid], stop: () => ctx.group.stop(process) };
  },
};
