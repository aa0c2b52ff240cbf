import { ApimError } from '../errors.js';
import { isRecord, type JsonRecord, records, str } from './json-utils.js';
import { type ConvertedDocument, convertV2 } from './v2-api.js';
import { normaliseV4Document } from './v4-document.js';

/** Spec fields only the Gravitee Kubernetes operator understands; they are not part of the definition. */
const OPERATOR_ONLY = [
  'local',
  'contextRef',
  'notifyMembers',
  'isLocal',
  'definitionContext',
  'consoleNotificationConfiguration',
];

/** Whether the document is a Gravitee Kubernetes operator resource (`apiVersion: gravitee.io/...`). */
export function isKubernetesResource(doc: JsonRecord): boolean {
  return (
    typeof doc.apiVersion === 'string' && doc.apiVersion.startsWith('gravitee.io/') && typeof doc.kind === 'string'
  );
}

/** The operator keeps plans (and pages) in a map keyed by name; the export has a list. */
function mapToList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (!isRecord(value)) return [];
  return Object.entries(value).map(([key, entry]) => (isRecord(entry) ? { name: key, ...entry } : entry));
}

/**
 * Converts an operator resource: kind `ApiDefinition` has a v2 spec, kind `ApiV4Definition` a v4 spec (with
 * `version` for the API version and plans as a map). `metadata.name` is the fallback API name. Plans without a
 * status are PUBLISHED, as the operator publishes them.
 */
export function convertKubernetes(doc: JsonRecord): ConvertedDocument {
  const spec = isRecord(doc.spec) ? { ...doc.spec } : undefined;
  if (spec === undefined) {
    throw new ApimError('IMPORT_UNSUPPORTED_FORMAT', { message: `The ${String(doc.kind)} resource has no spec.` });
  }
  for (const key of OPERATOR_ONLY) delete spec[key];
  const fallbackName = isRecord(doc.metadata) ? str(doc.metadata.name) : undefined;
  if (doc.kind === 'ApiDefinition') return convertV2(spec, fallbackName);
  if (doc.kind !== 'ApiV4Definition') {
    throw new ApimError('IMPORT_UNSUPPORTED_FORMAT', {
      message: `The Kubernetes resource kind ${String(doc.kind)} is not an API definition (expected ApiDefinition or ApiV4Definition).`,
    });
  }
  const { plans, pages, members, metadata, version, ...api } = spec;
  api.name ??= fallbackName;
  api.apiVersion ??= str(version);
  api.definitionVersion ??= 'V4';
  const planList = records(mapToList(plans)).map((p) => ({ ...p, status: p.status ?? 'PUBLISHED' }));
  return normaliseV4Document({
    api,
    plans: planList,
    pages: mapToList(pages),
    members: Array.isArray(members) ? members : [],
    metadata: Array.isArray(metadata) ? metadata : [],
  });
}
