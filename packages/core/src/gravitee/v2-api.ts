import { asArray, compact, isRecord, type JsonRecord, pick, records, str } from './json-utils.js';
import { flow, pathsToFlows, plan } from './v2-flows.js';
import { analytics, endpointGroups, failover, httpListener } from './v2-proxy.js';

/** A converted document, not validated yet: the import validates it as a v4 export. */
export interface ConvertedDocument {
  api: JsonRecord;
  plans: JsonRecord[];
  pages: unknown[];
  members: unknown[];
  metadata: unknown[];
  apiPicture?: string;
  apiBackground?: string;
  apiMedia: unknown[];
}

/** Detects a Gravitee v2 (or 1.x) API definition. */
export function isV2Definition(doc: JsonRecord): boolean {
  const version = str(pick(doc, 'gravitee', 'definitionVersion', 'definition_version'));
  return (
    isRecord(doc.proxy) ||
    version === '1.0.0' ||
    version === '2.0.0' ||
    version?.toUpperCase() === 'V2' ||
    'execution_mode' in doc ||
    'flow_mode' in doc ||
    isRecord(doc.paths)
  );
}

/** v2 properties: `[{ key, value, encrypted, dynamic }]`, `{ properties: [...] }` or a `{ key: value }` map. */
function properties(v2: unknown): JsonRecord[] {
  if (Array.isArray(v2)) return records(v2).map((p) => ({ ...p, value: str(p.value) ?? '' }));
  if (isRecord(v2) && Array.isArray(v2.properties)) return properties(v2.properties);
  if (isRecord(v2)) return Object.entries(v2).map(([key, value]) => ({ key, value: str(value) ?? '' }));
  return [];
}

const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);
const upper = (v: unknown) => str(v)?.toUpperCase();

/**
 * Converts a Gravitee v2 API definition (or a v2 export: the definition plus plans, pages, members, metadata,
 * picture) to the v4 model; the field mapping is documented on `importDefinition`.
 */
export function convertV2(v2: JsonRecord, fallbackName?: string): ConvertedDocument {
  const proxy = isRecord(v2.proxy) ? v2.proxy : {};
  const context = pick(v2, 'definition_context', 'definitionContext');
  const origin = isRecord(context) ? upper(context.origin) : undefined;
  const flowMode = upper(pick(v2, 'flow_mode', 'flowMode'));
  const api = compact({
    id: str(v2.id),
    crossId: str(pick(v2, 'crossId', 'cross_id')),
    name: str(v2.name) ?? fallbackName,
    description: str(v2.description),
    apiVersion: str(pick(v2, 'version', 'apiVersion')),
    definitionVersion: 'V4',
    type: 'PROXY',
    tags: strings(v2.tags) ?? [],
    listeners: [httpListener(proxy, pick(v2, 'path_mappings', 'pathMappings'), proxy.cors)],
    endpointGroups: endpointGroups(proxy, v2.services),
    flows: [...records(v2.flows).map(flow), ...pathsToFlows(v2.paths)],
    flowExecution: { mode: flowMode === 'BEST_MATCH' ? 'BEST_MATCH' : 'DEFAULT', matchRequired: false },
    analytics: analytics(proxy.logging),
    properties: properties(v2.properties),
    resources: records(v2.resources),
    failover: failover(proxy.failover),
    responseTemplates: isRecord(pick(v2, 'response_templates', 'responseTemplates'))
      ? pick(v2, 'response_templates', 'responseTemplates')
      : undefined,
    state: upper(v2.state),
    visibility: upper(v2.visibility),
    lifecycleState: upper(pick(v2, 'lifecycle_state', 'lifecycleState')),
    categories: strings(v2.categories),
    labels: strings(v2.labels),
    groups: strings(v2.groups),
    deployedAt: str(pick(v2, 'deployed_at', 'deployedAt')),
    createdAt: str(pick(v2, 'created_at', 'createdAt')),
    updatedAt: str(pick(v2, 'updated_at', 'updatedAt')),
    disableMembershipNotifications: pick(v2, 'disable_membership_notifications', 'disableMembershipNotifications'),
    originContext: origin === 'MANAGEMENT' || origin === 'KUBERNETES' ? { origin } : undefined,
  }) as JsonRecord;
  return compact({
    api,
    plans: records(v2.plans).map(plan),
    pages: asArray(v2.pages),
    members: asArray(v2.members),
    metadata: asArray(v2.metadata),
    apiPicture: str(pick(v2, 'picture', 'apiPicture')),
    apiBackground: str(pick(v2, 'background', 'apiBackground')),
    apiMedia: asArray(v2.apiMedia),
  }) as ConvertedDocument;
}
