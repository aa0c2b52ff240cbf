import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mockPolicy } from '../mock/index.js';
import { loadPolicyPackages } from './load-policy-packages.js';

const plugin = (id: string) =>
  `{ kind: 'policy', id: '${id}', version: '1.0.0', name: '${id}', description: '', category: 'others', phases: ['request'], schema: { type: 'object' }, create: () => ({}) }`;

function modulePath(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'apim-policy-'));
  const file = join(dir, 'index.mjs');
  writeFileSync(file, source);
  return pathToFileURL(file).href;
}

describe('loadPolicyPackages', () => {
  it('loads a default export (one policy) and a `policies` export (a list) with a real dynamic import', async () => {
    const one = modulePath(`export default ${plugin('geo-ip')};`);
    const many = modulePath(`export const policies = [${plugin('a-one')}, ${plugin('a-two')}];`);
    const loaded = await loadPolicyPackages([one, many]);
    expect(loaded.map((p) => p.id)).toEqual(['geo-ip', 'a-one', 'a-two']);
  });

  it('accepts an injected importer', async () => {
    expect(await loadPolicyPackages(['x'], async () => ({ default: [mockPolicy] }))).toEqual([mockPolicy]);
  });

  it('names the package that fails', async () => {
    await expect(loadPolicyPackages(['@nobody/missing-policy'])).rejects.toThrow(
      'policy package [@nobody/missing-policy] cannot be loaded',
    );
    await expect(loadPolicyPackages(['x'], async () => ({ other: 1 }))).rejects.toThrow(
      'policy package [x] has no default export nor `policies` export',
    );
    await expect(loadPolicyPackages(['x'], async () => ({ default: [{ id: 'y' }] }))).rejects.toThrow(
      'policy package [x]: export #0 is not a definePolicy() result',
    );
  });
});
