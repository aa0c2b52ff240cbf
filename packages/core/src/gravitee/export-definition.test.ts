import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApiDefinitionSchema } from '../definition/api.js';
import { PlanDefinitionSchema } from '../definition/plan.js';
import { exportDefinition } from './export-definition.js';
import { importDefinition } from './import-definition.js';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../../../shared/fixtures/gravitee/${name}`, import.meta.url)), 'utf8');

const FIXTURES = [
  'v4-proxy-export.json',
  'bench/0-passthrough-v2.json',
  'bench/0-passthrough-v4.json',
  'bench/1-mock.yaml',
  'bench/2-api-key-v2.json',
  'bench/2-api-key-v4.json',
  'bench/3-rate-limit-v2.json',
  'bench/5-json-transformation-v2.json',
];

// biome-ignore lint/suspicious/noExplicitAny: walks plain JSON Schema objects.
type Schema = Record<string, any>;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const esc = (k: string) => k.replaceAll('~', '~0').replaceAll('/', '~1');

/** JSON pointers of the leaves of `value` that the schema declares (undeclared extra properties are skipped). */
function declaredPointers(schema: Schema, value: unknown, at = '', out: string[] = []): string[] {
  if (Array.isArray(schema.oneOf) && schema.discriminator) {
    const branch = schema.oneOf.find((b: Schema) => isRecord(value) && b.properties?.type?.const === value.type);
    if (branch) return declaredPointers(branch, value, at, out);
  } else if (schema.properties && isRecord(value) && Object.keys(value).length > 0) {
    for (const [key, v] of Object.entries(value)) {
      if (schema.properties[key]) declaredPointers(schema.properties[key], v, `${at}/${esc(key)}`, out);
    }
    return out;
  } else if (schema.patternProperties && isRecord(value) && Object.keys(value).length > 0) {
    const sub = Object.values(schema.patternProperties)[0] as Schema;
    for (const [key, v] of Object.entries(value)) declaredPointers(sub, v, `${at}/${esc(key)}`, out);
    return out;
  } else if (schema.items && Array.isArray(value) && value.length > 0) {
    for (const [i, v] of value.entries()) declaredPointers(schema.items, v, `${at}/${i}`, out);
    return out;
  }
  out.push(at);
  return out;
}

function get(value: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>(
      (v, key) => (isRecord(v) || Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined),
      value,
    );
}

describe('exportDefinition', () => {
  it('produces the Gravitee v4 export shape', () => {
    const imported = importDefinition(fixture('bench/0-passthrough-v2.json'));
    const exported = exportDefinition({ api: imported.api, plans: imported.plans });
    expect(Object.keys(exported).sort()).toEqual(['api', 'apiMedia', 'members', 'metadata', 'pages', 'plans']);
    expect(exported.api.definitionVersion).toBe('V4');
    expect(exported.plans[0]!.definitionVersion).toBe('V4');
    expect(exported).toMatchObject({ pages: [], members: [], metadata: [], apiMedia: [] });
  });

  it('copies its input', () => {
    const imported = importDefinition(fixture('v4-proxy-export.json'));
    const exported = exportDefinition(imported);
    exported.api.listeners[0]!.paths![0]!.path = '/changed';
    expect(imported.api.listeners[0]!.paths![0]!.path).toBe('/proxy-api');
  });

  it('keeps every declared field of v4-proxy-export.json unchanged (api and plans, field by field)', () => {
    const original = JSON.parse(fixture('v4-proxy-export.json'));
    const exported = JSON.parse(JSON.stringify(exportDefinition(importDefinition(original))));
    const apiPointers = declaredPointers(ApiDefinitionSchema, original.api);
    const mismatches: string[] = [];
    for (const p of apiPointers) {
      if (JSON.stringify(get(exported.api, p)) !== JSON.stringify(get(original.api, p))) mismatches.push(`/api${p}`);
    }
    original.plans.forEach((plan: unknown, i: number) => {
      for (const p of declaredPointers(PlanDefinitionSchema, plan)) {
        if (JSON.stringify(get(exported.plans[i], p)) !== JSON.stringify(get(plan, p)))
          mismatches.push(`/plans/${i}${p}`);
      }
    });
    expect(mismatches).toEqual([]);
    // The walk really reached the nested declared fields.
    expect(apiPointers).toEqual(
      expect.arrayContaining([
        '/listeners/0/paths/0/overrideAccess',
        '/endpointGroups/0/sharedConfiguration/http/keepAliveTimeout',
        '/endpointGroups/0/sharedConfiguration/ssl/trustStore/type',
        '/endpointGroups/0/endpoints/0/configuration/target',
        '/endpointGroups/0/services/healthCheck/configuration/assertion',
        '/analytics/logging/content/messageMetadata',
        '/flows/0/selectors/0/pathOperator',
        '/responseTemplates/DEFAULT/*.*/propagateErrorKeyToLogs',
        '/properties/0/encrypted',
        '/originContext/origin',
      ]),
    );
    expect(apiPointers.length).toBeGreaterThan(70);
  });

  it('keeps every field of v4-proxy-export.json, declared or not', () => {
    const original = JSON.parse(fixture('v4-proxy-export.json'));
    const exported = JSON.parse(JSON.stringify(exportDefinition(importDefinition(original))));
    expect(exported).toMatchObject(original);
  });
});

describe('round trip: import(export(import(x))) equals import(x)', () => {
  it.each(FIXTURES)('%s', (file) => {
    const first = importDefinition(fixture(file));
    const again = importDefinition(JSON.stringify(exportDefinition(first)));
    // An export is always a v4 export, whatever the first import read.
    expect(again.sourceFormat).toBe('v4-export');
    const { sourceFormat: _a, ...expected } = first;
    const { sourceFormat: _b, ...actual } = again;
    expect(actual).toEqual(expected);
    // Also without serialisation, from the objects themselves.
    const { sourceFormat: _c, ...direct } = importDefinition(exportDefinition(first));
    expect(direct).toEqual(expected);
  });
});
