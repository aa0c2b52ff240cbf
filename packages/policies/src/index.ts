/**
 * The policy catalogue of the gateway. Each policy is a folder exporting one declaration (id, version, phases,
 * configuration schema, factory); this index lists them for the gateway and the management API.
 */
export { assignAttributesPolicy } from './assign-attributes/index.js';
export { assignContentPolicy } from './assign-content/index.js';
export { basicAuthenticationPolicy } from './basic-authentication/index.js';
export { BUILTIN_POLICIES, createPolicyRegistry, POLICY_IDS } from './builtin-policies.js';
export {
  configurationHash,
  type ErrorStrategy,
  RATE_LIMIT_ASYNC_SERVICE,
  RATE_LIMIT_SERVICE,
} from './common/counter-policy.js';
export { renderPolicyDocs } from './docs/render-policy-docs.js';
export { dynamicRoutingPolicy } from './dynamic-routing/index.js';
export { generateJwtPolicy } from './generate-jwt/index.js';
export { httpCalloutPolicy } from './http-callout/index.js';
export { ipFilteringPolicy } from './ip-filtering/index.js';
export { jsonToJsonPolicy } from './json-to-json/index.js';
export { JoltSpecError } from './json-to-json/jolt.js';
export { jsonXmlPolicy } from './json-xml/index.js';
export { jwsPolicy } from './jws/index.js';
export { latencyPolicy } from './latency/index.js';
export { loadPolicyPackages, type ModuleImporter } from './loader/load-policy-packages.js';
export { mockPolicy } from './mock/index.js';
export { overrideRequestMethodPolicy } from './override-request-method/index.js';
export { quotaPolicy } from './quota/index.js';
export { rateLimitPolicy } from './rate-limit/index.js';
export { resourceFilteringPolicy } from './resource-filtering/index.js';
export { spikeArrestPolicy } from './spike-arrest/index.js';
export { spikeSlice } from './spike-arrest/spike-arrest.js';
export { sslEnforcementPolicy } from './ssl-enforcement/index.js';
export * from './testing/index.js';
export { transformHeadersPolicy } from './transform-headers/index.js';
export { transformQueryParamsPolicy } from './transform-queryparams/index.js';
export { xmlJsonPolicy } from './xml-json/index.js';
