import type {
  ApiDefinition,
  GraviteeMember,
  GraviteeMetadata,
  GraviteePage,
  PlanDefinition,
} from '../definition/index.js';
import { validateApiExport } from '../definition/index.js';
import { ApimError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import { isRecord, type JsonRecord } from './json-utils.js';
import { convertKubernetes, isKubernetesResource } from './kubernetes.js';
import { parseDefinitionText } from './parse.js';
import { type ConvertedDocument, convertV2, isV2Definition } from './v2-api.js';
import { isV4Version, normaliseV4Document } from './v4-document.js';

/** The format an import was read from. */
export type ImportSourceFormat = 'v4-export' | 'v2-definition' | 'kubernetes';

/** An imported API: a valid v4 definition, its plans, and the export's documentation, members and media. */
export interface ImportedApi {
  api: ApiDefinition;
  plans: PlanDefinition[];
  pages: GraviteePage[];
  members: GraviteeMember[];
  metadata: GraviteeMetadata[];
  apiPicture?: string;
  apiBackground?: string;
  apiMedia: unknown[];
  sourceFormat: ImportSourceFormat;
}

const SUPPORTED =
  "expected a Gravitee v4 export ({ api: { definitionVersion: 'V4', ... }, plans }), a v4 API definition, a Gravitee " +
  'v2 API definition (with proxy) or a Gravitee Kubernetes operator ApiDefinition / ApiV4Definition resource';

function unsupported(reason: string): ApimError {
  return new ApimError('IMPORT_UNSUPPORTED_FORMAT', {
    message: `Unsupported API definition format: ${reason}; ${SUPPORTED}.`,
  });
}

function detect(doc: unknown): { format: ImportSourceFormat; converted: ConvertedDocument } {
  if (!isRecord(doc))
    throw unsupported(`the document is ${Array.isArray(doc) ? 'an array' : `a ${doc === null ? 'null' : typeof doc}`}`);
  if (isKubernetesResource(doc)) return { format: 'kubernetes', converted: convertKubernetes(doc) };
  if (isRecord(doc.api)) {
    const api = doc.api;
    if (isV4Version(api.definitionVersion)) return { format: 'v4-export', converted: normaliseV4Document(doc) };
    if (isV2Definition(api)) {
      const { api: _, ...rest } = doc;
      return { format: 'v2-definition', converted: convertV2({ ...rest, ...api } as JsonRecord) };
    }
    throw unsupported(`api.definitionVersion ${JSON.stringify(api.definitionVersion ?? null)} is not supported`);
  }
  if (isV4Version(doc.definitionVersion)) {
    return { format: 'v4-export', converted: normaliseV4Document({ api: doc, plans: doc.plans ?? [] }) };
  }
  if (isV2Definition(doc)) return { format: 'v2-definition', converted: convertV2(doc) };
  throw unsupported('no api, proxy, definitionVersion or Kubernetes apiVersion/kind found');
}

/** Gives the API and its plans ids when the file had none, and links each plan to the API. */
function assignIds(doc: ConvertedDocument): void {
  if (typeof doc.api.id !== 'string' || doc.api.id === '') doc.api.id = newId();
  for (const plan of doc.plans) {
    if (typeof plan.id !== 'string' || plan.id === '') plan.id = newId();
    plan.apiId ??= doc.api.id;
  }
}

/**
 * Imports an API definition file: a Gravitee v4 export (or a bare v4 API), a Gravitee v2 (or 1.x) definition or
 * export, or a Gravitee Kubernetes operator resource (`ApiDefinition` with a v2 spec, `ApiV4Definition` with a v4
 * spec). Accepts the text (JSON or YAML) or the parsed document; returns the validated v4 model with defaults.
 *
 * v2 mapping: `proxy.virtual_hosts` -> one HTTP listener (`paths`, entrypoint `http-proxy`, `cors`, `pathMappings`);
 * `proxy.groups` -> `http-proxy` endpoint groups (`load_balancing` -> `loadBalancer`, group `http`/`ssl`/`proxy`/
 * `headers` -> `sharedConfiguration`, endpoint `backup` -> `secondary`, `inherit` -> `inheritConfiguration`, endpoint
 * `http`/`ssl`/... -> `sharedConfigurationOverride` when not inherited); `preserve_host: true` ->
 * `sharedConfiguration.http.propagateClientHost`; `strip_context_path: true` -> listener `stripContextPath`;
 * `logging` -> `analytics.logging`; `failover` -> `failover` (`maxAttempts` -> `maxRetries`, `retryTimeout` ->
 * `slowCallDuration`); health checks -> `services.healthCheck`; flows -> HTTP (+ CONDITION) selectors with `pre` ->
 * `request`, `post` -> `response`; `flow_mode` -> `flowExecution.mode`; plans -> v4 plans (securityDefinition ->
 * `security.configuration`; PUBLISHED when the status is missing).
 *
 * @throws ApimError IMPORT_UNSUPPORTED_FORMAT for unparsable text or an unknown format.
 * @throws ValidationError DEFINITION_INVALID (details: JSON pointers into the v4 export document, e.g.
 *   `/api/endpointGroups/0/endpoints/0/configuration/target`) when the converted definition is invalid.
 * @example
 * const { api, plans } = importDefinition(await file.text());
 */
export function importDefinition(input: unknown): ImportedApi {
  const doc = typeof input === 'string' ? parseDefinitionText(input) : input;
  const { format, converted } = detect(doc);
  assignIds(converted);
  const result = validateApiExport(converted);
  if (!result.ok) throw new ValidationError('The API definition is invalid', result.errors, 'DEFINITION_INVALID');
  const value = result.value;
  const imported: ImportedApi = {
    api: value.api,
    plans: value.plans,
    pages: value.pages,
    members: value.members,
    metadata: value.metadata,
    apiMedia: value.apiMedia,
    sourceFormat: format,
  };
  if (value.apiPicture !== undefined) imported.apiPicture = value.apiPicture;
  if (value.apiBackground !== undefined) imported.apiBackground = value.apiBackground;
  return imported;
}
