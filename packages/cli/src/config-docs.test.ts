import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listSettings } from './config.js';
import { renderConfigDocs } from './config-docs.js';

describe('docs/configuration.md', () => {
  it('is generated from the current schema (run `npm run docs` after changing a setting)', () => {
    const committed = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigDocs());
  });

  it('documents every setting with its environment variable', () => {
    const docs = renderConfigDocs();
    for (const setting of listSettings())
      expect(docs).toContain(`| \`${setting.path.join('.')}\` | \`${setting.env}\` |`);
  });
});
