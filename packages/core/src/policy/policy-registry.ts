import type { ValidationResult } from '../definition/validate.js';
import type { PolicyPlugin } from './define-policy.js';
import { validatePolicyConfiguration } from './validate-configuration.js';

/**
 * The policies a gateway or a management API knows, by id. Registering an id twice is an error unless `replace`
 * is set (a third-party package overriding a built-in must say so).
 *
 * @example
 * const registry = new PolicyRegistry([mockPolicy]);
 * registry.validateStepConfiguration('mock', { status: 200 });
 */
export class PolicyRegistry {
  readonly #plugins = new Map<string, PolicyPlugin>();

  constructor(plugins: Iterable<PolicyPlugin> = []) {
    for (const plugin of plugins) this.register(plugin);
  }

  /** Adds a policy; throws when the id is taken and `replace` is not set. */
  register(plugin: PolicyPlugin, options: { replace?: boolean } = {}): this {
    if (this.#plugins.has(plugin.id) && options.replace !== true)
      throw new Error(`policy [${plugin.id}] is already registered`);
    this.#plugins.set(plugin.id, plugin);
    return this;
  }

  get(id: string): PolicyPlugin | undefined {
    return this.#plugins.get(id);
  }

  has(id: string): boolean {
    return this.#plugins.has(id);
  }

  /** Every policy, sorted by id. */
  list(): PolicyPlugin[] {
    return [...this.#plugins.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Validates a step configuration for `policyId` (see `validatePolicyConfiguration`); an unknown policy is an
   * error at the root pointer.
   */
  validateStepConfiguration(
    policyId: string,
    configuration: unknown,
  ): ValidationResult<Readonly<Record<string, unknown>>> {
    const plugin = this.#plugins.get(policyId);
    if (plugin === undefined) return { ok: false, errors: [{ path: '', message: `unknown policy [${policyId}]` }] };
    return validatePolicyConfiguration(plugin, configuration);
  }
}
