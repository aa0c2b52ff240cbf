// Regenerates the docs that derive from code (configuration reference). Run after `npm run build`.
import { writeFileSync } from 'node:fs';
import { renderConfigDocs } from '../packages/cli/dist/config-docs.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigDocs());
console.log('docs/configuration.md written');
await import('../packages/policies/scripts/write-docs.mjs');
