import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApimError } from '@apim/core';
import { type Config, listSettings, loadConfig, redactUrl } from './config.js';
import { type RunningPlatform, startPlatform } from './platform.js';

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

interface Command {
  summary: string;
  /** Which components the command runs. */
  components?: { management: boolean; gateway: boolean };
}

const COMMANDS: Record<string, Command> = {
  start: {
    summary: 'Start the whole platform on embedded defaults (management API, gateway; SQLite under ./data).',
    components: { management: true, gateway: true },
  },
  gateway: { summary: 'Start the gateway alone.', components: { management: false, gateway: true } },
  management: { summary: 'Start the management API alone.', components: { management: true, gateway: false } },
  config: { summary: 'Print the effective configuration (secrets masked) and every environment variable.' },
  help: { summary: 'Show this help.' },
  version: { summary: 'Print the version.' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    `apim ${VERSION}: an API management platform`,
    '',
    'Usage: apim <command> [--config <file.yaml>]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -c, --config <file>  YAML config file (also APIM_CONFIG). Environment variables override it:',
    '                       every setting has one, e.g. APIM_GATEWAY_PORT, APIM_MANAGEMENT_PORT,',
    '                       APIM_REPOSITORY_URL, APIM_DATA_DIR, APIM_ADMIN_PASSWORD. See `apim config`.',
    '  -h, --help           Show this help.',
    '  -v, --version        Print the version.',
  ].join('\n');
}

function printConfig(config: Config): void {
  const masked = structuredClone(config);
  if (masked.management.adminPassword) masked.management.adminPassword = '****';
  masked.repository.url = redactUrl(masked.repository.url);
  masked.gateway.rateLimitRedisUrl = redactUrl(masked.gateway.rateLimitRedisUrl);
  console.log(JSON.stringify(masked, null, 2));
  console.log('\nEnvironment variables:');
  for (const s of listSettings()) console.log(`  ${s.env.padEnd(34)} ${s.path.join('.')}`);
}

/**
 * Entry point of the `apim` command. Returns the exit code; long-running commands resolve once they have stopped.
 *
 * @example await main(['start', '--config', 'apim.yaml'])
 */
export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage()}`);
    return 2;
  }
  const [name = 'help', ...rest] = parsed.positionals;
  if (parsed.values.version || name === 'version') {
    console.log(VERSION);
    return 0;
  }
  if (parsed.values.help || name === 'help') {
    console.log(usage());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command || rest.length > 0) {
    console.error(`Unknown command: ${[name, ...rest].join(' ')}\n\n${usage()}`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig({ file: parsed.values.config as string | undefined });
  } catch (error) {
    console.error(error instanceof ApimError ? error.message : error);
    return 2;
  }
  if (name === 'config') {
    printConfig(config);
    return 0;
  }
  const components = command.components ?? { management: true, gateway: true };
  const platform = await startPlatform(config, {
    management: components.management && config.management.enabled,
    gateway: components.gateway && config.gateway.enabled,
  });
  return waitForSignal(platform);
}

function waitForSignal(platform: RunningPlatform): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        platform.logger.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      platform.logger.info({ signal }, 'shutting down');
      platform.close().then(
        () => resolve(0),
        (error: unknown) => {
          platform.logger.error({ err: error }, 'error during shutdown');
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
