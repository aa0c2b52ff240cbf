import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES } from '../builtin-policies.js';
import { renderPolicyDocs } from './render-policy-docs.js';

describe('docs/policies.md', () => {
  it('is generated from the policy declarations (run `npm run docs` after changing a policy)', () => {
    const committed = readFileSync(new URL('../../../../docs/policies.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderPolicyDocs());
  });

  it('has a section, a configuration table and an example per policy', () => {
    const docs = renderPolicyDocs();
    for (const plugin of BUILTIN_POLICIES) {
      expect(docs).toContain(`## \`${plugin.id}\`: ${plugin.name}`);
      expect(docs).toContain(`"policy": "${plugin.id}"`);
    }
    expect(docs).toContain('| `addHeaders[].value` | string | yes |  | yes |');
  });
});
