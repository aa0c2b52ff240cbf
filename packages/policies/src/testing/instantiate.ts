import {
  type PolicyFactoryContext,
  type PolicyInstance,
  type PolicyPlugin,
  validatePolicyConfiguration,
} from '@apim/core';
import { testFactoryContext } from './factory-context.js';

/**
 * Validates a configuration as a deployment does (defaults, frozen) and creates the instance; throws with the
 * field errors when the configuration is invalid.
 *
 * @example const instance = instantiate(mockPolicy, { status: 200, content: 'Hello' });
 */
export function instantiate(
  plugin: PolicyPlugin,
  configuration: unknown,
  ctx: PolicyFactoryContext = testFactoryContext(plugin.id),
): PolicyInstance {
  const result = validatePolicyConfiguration(plugin, configuration);
  if (!result.ok) throw new Error(`invalid configuration: ${JSON.stringify(result.errors)}`);
  return plugin.create(result.value, ctx);
}
