import { listSettings } from './config.js';

/** Renders docs/configuration.md from the configuration schema (one row per setting). */
export function renderConfigDocs(): string {
  const rows = listSettings().map(({ path, env, schema }) => {
    const fallback = schema.default;
    const shown = Array.isArray(fallback) ? fallback.join(',') : String(fallback ?? '');
    return `| \`${path.join('.')}\` | \`${env}\` | ${shown === '' ? '' : `\`${shown}\``} | ${schema.description ?? ''} |`;
  });
  return [
    '# Configuration',
    '',
    '<!-- Generated from packages/cli/src/config.ts by `npm run docs`; a test keeps it in sync. -->',
    '',
    'Settings come from, in increasing priority: the defaults below, a YAML file (`apim <command> --config file.yaml`',
    'or `APIM_CONFIG`), and environment variables. `apim config` prints the effective configuration.',
    '',
    'Aliases: `APIM_ADMIN_PASSWORD` sets `management.adminPassword`, `APIM_REPOSITORY_URL` sets `repository.url`,',
    '`APIM_LOG_LEVEL` sets `log.level`.',
    '',
    '```yaml',
    '# apim.yaml: two processes sharing PostgreSQL, this one the gateway',
    'repository:',
    '  url: postgres://apim:secret@db.internal:5432/apim',
    'gateway:',
    '  port: 8082',
    '  syncIntervalMs: 500',
    '```',
    '',
    '| setting | environment variable | default | description |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
