// Regenerates docs/policies.md from the policy declarations. Run after `npm run build`.
import { writeFileSync } from 'node:fs';
import { renderPolicyDocs } from '../dist/index.js';

writeFileSync(new URL('../../../docs/policies.md', import.meta.url), renderPolicyDocs());
console.log('docs/policies.md written');
