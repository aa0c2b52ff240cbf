import { type Static, Type } from '@sinclair/typebox';
import { ApiDefinitionSchema } from './api.js';
import { PlanDefinitionSchema } from './plan.js';

/** A documentation page of an export (markdown, OpenAPI `SWAGGER`, AsyncAPI, folder, link...). Extra fields are kept. */
export const GraviteePageSchema = Type.Object({
  id: Type.Optional(Type.String()),
  crossId: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
  content: Type.Optional(Type.String()),
  order: Type.Optional(Type.Integer()),
  published: Type.Optional(Type.Boolean()),
  visibility: Type.Optional(Type.String()),
  homepage: Type.Optional(Type.Boolean()),
  parentId: Type.Optional(Type.String()),
  referenceType: Type.Optional(Type.String()),
  referenceId: Type.Optional(Type.String()),
  configuration: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  source: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  accessControls: Type.Optional(Type.Array(Type.Unknown())),
  excludedAccessControls: Type.Optional(Type.Boolean()),
  createdAt: Type.Optional(Type.String()),
  updatedAt: Type.Optional(Type.String()),
});
export type GraviteePage = Static<typeof GraviteePageSchema>;

/** A member of the API: `{ id, displayName, roles: [{ name, scope }] }` (v4) or `{ source, sourceId, roles }` (v2). */
export const GraviteeMemberSchema = Type.Object({
  id: Type.Optional(Type.String()),
  displayName: Type.Optional(Type.String()),
  source: Type.Optional(Type.String()),
  sourceId: Type.Optional(Type.String()),
  roles: Type.Optional(Type.Array(Type.Unknown())),
});
export type GraviteeMember = Static<typeof GraviteeMemberSchema>;

/** An API metadata entry (`{ key, name, format, value }`), shown in the portal and usable in EL. */
export const GraviteeMetadataSchema = Type.Object({
  key: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  format: Type.Optional(Type.String()),
  value: Type.Optional(Type.String()),
  defaultValue: Type.Optional(Type.String()),
});
export type GraviteeMetadata = Static<typeof GraviteeMetadataSchema>;

/** The Gravitee v4 export document (`GET .../apis/{apiId}/_export/definition`). */
export const ApiExportSchema = Type.Object({
  api: ApiDefinitionSchema,
  plans: Type.Array(PlanDefinitionSchema, { default: [] }),
  pages: Type.Array(GraviteePageSchema, { default: [] }),
  members: Type.Array(GraviteeMemberSchema, { default: [] }),
  metadata: Type.Array(GraviteeMetadataSchema, { default: [] }),
  apiPicture: Type.Optional(Type.String()),
  apiBackground: Type.Optional(Type.String()),
  apiMedia: Type.Array(Type.Unknown(), { default: [] }),
});
export type ApiExport = Static<typeof ApiExportSchema>;
