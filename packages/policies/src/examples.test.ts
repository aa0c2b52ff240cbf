import { validatePolicyConfiguration } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES, createPolicyRegistry, POLICY_IDS } from './index.js';
import { instantiate, testFactoryContext } from './testing/index.js';

/** The API resources the examples name (`basic-authentication` providers). */
const EXAMPLE_RESOURCES = [
  {
    name: 'partners',
    type: 'auth-provider-inline-resource',
    enabled: true,
    configuration: { users: [{ username: 'acme', password: 'not-a-real-secret', roles: ['partner'] }] },
  },
];

describe('built-in policies', () => {
  it('have unique ids, each declared once in the registry', () => {
    expect(new Set(POLICY_IDS).size).toBe(BUILTIN_POLICIES.length);
    expect(
      createPolicyRegistry()
        .list()
        .map((p) => p.id),
    ).toEqual([...POLICY_IDS].sort());
  });

  for (const plugin of BUILTIN_POLICIES) {
    describe(plugin.id, () => {
      it('has at least one example, each valid against the schema and instantiable', () => {
        expect(plugin.examples?.length ?? 0).toBeGreaterThan(0);
        for (const example of plugin.examples ?? []) {
          const result = validatePolicyConfiguration(plugin, example.configuration);
          expect(result.ok ? [] : result.errors, example.title).toEqual([]);
          expect(() =>
            instantiate(plugin, example.configuration, testFactoryContext(plugin.id, EXAMPLE_RESOURCES)),
          ).not.toThrow();
        }
      });

      it('documents every configuration field with a title or a description', () => {
        const schema = plugin.schema as { properties?: Record<string, { title?: string; description?: string }> };
        for (const [name, field] of Object.entries(schema.properties ?? {}))
          expect(field.title ?? field.description, `${plugin.id}.${name}`).toBeTruthy();
      });
    });
  }

  it('refuses an extra policy reusing a built-in id unless asked', () => {
    const [first] = BUILTIN_POLICIES;
    expect(() => createPolicyRegistry([first!])).toThrow(`policy [${first!.id}] is already registered`);
    expect(createPolicyRegistry([first!], { replaceBuiltins: true }).get(first!.id)).toBe(first);
  });
});
