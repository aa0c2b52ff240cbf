/** The EL's strict XML parser (no DOCTYPE, so no entity expansion and no XXE), for body-conversion policies. */
export { parseXml, type XmlDocument, type XmlElement, XmlSyntaxError, type XmlText } from '../el/xml.js';
export * from './define-policy.js';
export * from './execution-context.js';
export { MutableMultiValueMap } from './multi-value-map.js';
export { PolicyRegistry } from './policy-registry.js';
export { ElTemplate, type UiHints } from './policy-schema.js';
export { validatePolicyConfiguration } from './validate-configuration.js';
