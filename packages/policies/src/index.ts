/**
 * The policy catalogue of the gateway. Each policy is a folder exporting one declaration (id, version, phases,
 * configuration schema, factory); this index lists them for the gateway and the management API.
 */
export { assignAttributesPolicy } from './assign-attributes/index.js';
export { BUILTIN_POLICIES, createPolicyRegistry, POLICY_IDS } from './builtin-policies.js';
export { renderPolicyDocs } from './docs/render-policy-docs.js';
export { latencyPolicy } from './latency/index.js';
export { loadPolicyPackages, type ModuleImporter } from './loader/load-policy-packages.js';
export { mockPolicy } from './mock/index.js';
export { overrideRequestMethodPolicy } from './override-request-method/index.js';
export { resourceFilteringPolicy } from './resource-filtering/index.js';
export * from './testing/index.js';
export { transformHeadersPolicy } from './transform-headers/index.js';
export { transformQueryParamsPolicy } from './transform-queryparams/index.js';
