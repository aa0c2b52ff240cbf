import { dropNulls, type JsonRecord, parseJsonString, records, str } from './json-utils.js';
import type { ConvertedDocument } from './v2-api.js';

/** Whether `value` says definition version 4 (`V4`, `4.0.0`...). */
export function isV4Version(value: unknown): boolean {
  const version = str(value)?.toUpperCase();
  return version === 'V4' || version?.startsWith('4') === true;
}

/** Parses the plugin configurations Gravitee sometimes stores as JSON strings, in place. */
function parseConfigurations(api: JsonRecord): void {
  const parse = (owner: JsonRecord, key: string) => {
    if (typeof owner[key] === 'string') owner[key] = parseJsonString(owner[key]);
  };
  for (const listener of records(api.listeners))
    for (const e of records(listener.entrypoints)) parse(e, 'configuration');
  for (const group of records(api.endpointGroups)) {
    parse(group, 'sharedConfiguration');
    for (const endpoint of records(group.endpoints)) {
      parse(endpoint, 'configuration');
      parse(endpoint, 'sharedConfigurationOverride');
    }
  }
  for (const resource of records(api.resources)) parse(resource, 'configuration');
}

function parseFlowConfigurations(owner: JsonRecord): void {
  for (const flow of records(owner.flows)) {
    for (const phase of ['request', 'response', 'subscribe', 'publish']) {
      for (const step of records(flow[phase])) {
        if (typeof step.configuration === 'string') step.configuration = parseJsonString(step.configuration);
      }
    }
  }
}

/**
 * Normalises a v4 export-shaped document: drops nulls, parses string configurations, accepts `definitionVersion`
 * `4.0.0`, and fills the collections the export always has.
 */
export function normaliseV4Document(doc: JsonRecord): ConvertedDocument {
  const api = dropNulls(doc.api) as JsonRecord;
  if (isV4Version(api.definitionVersion)) api.definitionVersion = 'V4';
  parseConfigurations(api);
  parseFlowConfigurations(api);
  const plans = records(dropNulls(doc.plans ?? []));
  for (const plan of plans) {
    parseFlowConfigurations(plan);
    if (plan.definitionVersion === undefined || isV4Version(plan.definitionVersion)) plan.definitionVersion = 'V4';
  }
  const out: ConvertedDocument = {
    api,
    plans,
    pages: Array.isArray(doc.pages) ? doc.pages : [],
    members: Array.isArray(doc.members) ? doc.members : [],
    metadata: Array.isArray(doc.metadata) ? doc.metadata : [],
    apiMedia: Array.isArray(doc.apiMedia) ? doc.apiMedia : [],
  };
  if (typeof doc.apiPicture === 'string') out.apiPicture = doc.apiPicture;
  if (typeof doc.apiBackground === 'string') out.apiBackground = doc.apiBackground;
  return out;
}
