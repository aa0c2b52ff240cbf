import { isPolicyPlugin, type PolicyPlugin } from '@apim/core';

/** Imports a module by name; injectable for tests. */
export type ModuleImporter = (name: string) => Promise<Record<string, unknown>>;

const nodeImport: ModuleImporter = (name) => import(name);

function pluginsOf(name: string, mod: Record<string, unknown>): PolicyPlugin[] {
  const exported = mod.default ?? mod.policies;
  if (exported === undefined) throw new Error(`policy package [${name}] has no default export nor \`policies\` export`);
  const list = Array.isArray(exported) ? exported : [exported];
  if (list.length === 0) throw new Error(`policy package [${name}] exports no policy`);
  return list.map((candidate, i) => {
    if (!isPolicyPlugin(candidate))
      throw new Error(
        `policy package [${name}]: export ${Array.isArray(exported) ? `#${i} ` : ''}is not a definePolicy() result`,
      );
    return candidate;
  });
}

/**
 * Loads third-party policies: each package's default export (or its `policies` export) is one `definePolicy`
 * result or a list of them. Packages are imported in order; the first failure rejects with the package named.
 *
 * @example
 * const registry = createPolicyRegistry(await loadPolicyPackages(['@acme/apim-policy-geoip']));
 */
export async function loadPolicyPackages(
  names: readonly string[],
  importModule: ModuleImporter = nodeImport,
): Promise<PolicyPlugin[]> {
  const plugins: PolicyPlugin[] = [];
  for (const name of names) {
    let mod: Record<string, unknown>;
    try {
      mod = await importModule(name);
    } catch (error) {
      throw new Error(`policy package [${name}] cannot be loaded: ${(error as Error).message}`, { cause: error });
    }
    plugins.push(...pluginsOf(name, mod));
  }
  return plugins;
}
