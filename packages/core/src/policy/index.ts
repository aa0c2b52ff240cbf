export * from './define-policy.js';
export * from './execution-context.js';
export { MutableMultiValueMap } from './multi-value-map.js';
export { PolicyRegistry } from './policy-registry.js';
export { ElTemplate, type UiHints } from './policy-schema.js';
export { validatePolicyConfiguration } from './validate-configuration.js';
