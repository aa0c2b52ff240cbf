import { type PolicyPlugin, PolicyRegistry } from '@apim/core';
import { assignAttributesPolicy } from './assign-attributes/index.js';
import { assignContentPolicy } from './assign-content/index.js';
import { basicAuthenticationPolicy } from './basic-authentication/index.js';
import { dynamicRoutingPolicy } from './dynamic-routing/index.js';
import { generateJwtPolicy } from './generate-jwt/index.js';
import { httpCalloutPolicy } from './http-callout/index.js';
import { ipFilteringPolicy } from './ip-filtering/index.js';
import { jsonToJsonPolicy } from './json-to-json/index.js';
import { jsonXmlPolicy } from './json-xml/index.js';
import { jwsPolicy } from './jws/index.js';
import { latencyPolicy } from './latency/index.js';
import { mockPolicy } from './mock/index.js';
import { overrideRequestMethodPolicy } from './override-request-method/index.js';
import { quotaPolicy } from './quota/index.js';
import { rateLimitPolicy } from './rate-limit/index.js';
import { resourceFilteringPolicy } from './resource-filtering/index.js';
import { spikeArrestPolicy } from './spike-arrest/index.js';
import { sslEnforcementPolicy } from './ssl-enforcement/index.js';
import { transformHeadersPolicy } from './transform-headers/index.js';
import { transformQueryParamsPolicy } from './transform-queryparams/index.js';
import { xmlJsonPolicy } from './xml-json/index.js';

/** The policies shipped with the gateway, sorted by id. */
export const BUILTIN_POLICIES: readonly PolicyPlugin[] = Object.freeze([
  assignAttributesPolicy,
  assignContentPolicy,
  basicAuthenticationPolicy,
  dynamicRoutingPolicy,
  generateJwtPolicy,
  httpCalloutPolicy,
  ipFilteringPolicy,
  jsonToJsonPolicy,
  jsonXmlPolicy,
  jwsPolicy,
  latencyPolicy,
  mockPolicy,
  overrideRequestMethodPolicy,
  quotaPolicy,
  rateLimitPolicy,
  resourceFilteringPolicy,
  spikeArrestPolicy,
  sslEnforcementPolicy,
  transformHeadersPolicy,
  transformQueryParamsPolicy,
  xmlJsonPolicy,
] as PolicyPlugin[]);

/**
 * A registry of the built-in policies plus `extra` ones (from `loadPolicyPackages`). An extra policy reusing a
 * built-in id is refused unless `replaceBuiltins` is set.
 *
 * @example const registry = createPolicyRegistry(await loadPolicyPackages(config.policies));
 */
export function createPolicyRegistry(
  extra: Iterable<PolicyPlugin> = [],
  options: { replaceBuiltins?: boolean } = {},
): PolicyRegistry {
  const registry = new PolicyRegistry(BUILTIN_POLICIES);
  for (const plugin of extra) registry.register(plugin, { replace: options.replaceBuiltins === true });
  return registry;
}

/** The ids of the built-in policies. */
export const POLICY_IDS: readonly string[] = Object.freeze(BUILTIN_POLICIES.map((p) => p.id));
