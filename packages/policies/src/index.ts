/**
 * The policy catalogue of the gateway. Each policy is a folder exporting one declaration (id, version, phases,
 * configuration schema, factory); this index lists them for the gateway and the management API.
 */
export const POLICY_IDS: readonly string[] = [];
