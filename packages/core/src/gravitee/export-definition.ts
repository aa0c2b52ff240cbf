import type {
  ApiDefinition,
  ApiExport,
  GraviteeMember,
  GraviteeMetadata,
  GraviteePage,
  PlanDefinition,
} from '../definition/index.js';

/** What {@link exportDefinition} needs: an API and its plans, optionally its pages, members, metadata and media. */
export interface ExportInput {
  api: ApiDefinition;
  plans: PlanDefinition[];
  pages?: GraviteePage[];
  members?: GraviteeMember[];
  metadata?: GraviteeMetadata[];
  apiPicture?: string;
  apiBackground?: string;
  apiMedia?: unknown[];
}

/**
 * Produces the Gravitee v4 export document (`{ api, plans, pages, members, metadata, apiMedia, apiPicture?,
 * apiBackground? }`) that Gravitee APIM and {@link importDefinition} import. The input is copied, never shared.
 *
 * @example
 * const json = JSON.stringify(exportDefinition({ api, plans }), null, 2);
 */
export function exportDefinition(input: ExportInput): ApiExport {
  const copy = structuredClone(input);
  const out: ApiExport = {
    api: { ...copy.api, definitionVersion: 'V4' },
    plans: copy.plans.map((plan) => ({ ...plan, definitionVersion: 'V4' })),
    pages: copy.pages ?? [],
    members: copy.members ?? [],
    metadata: copy.metadata ?? [],
    apiMedia: copy.apiMedia ?? [],
  };
  if (copy.apiPicture !== undefined) out.apiPicture = copy.apiPicture;
  if (copy.apiBackground !== undefined) out.apiBackground = copy.apiBackground;
  return out;
}
