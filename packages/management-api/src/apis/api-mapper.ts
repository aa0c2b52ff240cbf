import type { Api, JsonObject, User } from '@apim/core';

/** Whether the deployed snapshot matches what would be deployed now. */
export type DeploymentState = 'DEPLOYED' | 'NEED_REDEPLOY';

/** Gravitee's `PrimaryOwner`. */
export interface PrimaryOwner {
  id: string;
  displayName: string;
  email?: string;
  type: 'USER' | 'GROUP';
}

/** The ApiV4 payload of Gravitee's Management API v2 (`#/components/schemas/ApiV4`). */
export type ApiV4 = JsonObject & {
  id: string;
  name: string;
  apiVersion: string;
  definitionVersion: 'V4';
  type: string;
  state: string;
  lifecycleState: string;
  visibility: string;
};

/** Extra data a response may carry beside the record. */
export interface ApiV4Extras {
  deploymentState?: DeploymentState;
  primaryOwner?: PrimaryOwner;
  /** Absolute base URL of the API resource, for `_links` (e.g. `http://host/management/v2/environments/DEFAULT/apis/<id>`). */
  selfUrl?: string;
}

/** The primary owner as Gravitee shows it: display name from first/last name, else the login. */
export function toPrimaryOwner(user: User): PrimaryOwner {
  const name = [user.firstname, user.lastname].filter(Boolean).join(' ');
  return {
    id: user.id,
    displayName: name || user.sourceId,
    ...(user.email ? { email: user.email } : {}),
    type: 'USER',
  };
}

/**
 * Maps an API record to Gravitee's ApiV4: the stored definition (listeners, endpointGroups, flows...) plus the record
 * columns (state, lifecycle, visibility, labels...). Null columns are left out, as Gravitee omits nulls.
 */
export function toApiV4(api: Api, extras: ApiV4Extras = {}): ApiV4 {
  // Identity first (key order is what people read), then the definition, then the columns that win over it.
  const out: JsonObject = { id: api.id, crossId: api.crossId, name: api.name, description: api.description };
  Object.assign(out, api.definition, {
    id: api.id,
    name: api.name,
    apiVersion: api.apiVersion,
    definitionVersion: 'V4',
    type: api.type,
    tags: Array.isArray(api.definition.tags) ? api.definition.tags : [],
    state: api.state,
    lifecycleState: api.lifecycleState,
    visibility: api.visibility,
    labels: api.labels,
    categories: api.categories,
    groups: api.groups,
    disableMembershipNotifications: api.definition.disableMembershipNotifications === true,
    originContext: { origin: 'MANAGEMENT' },
    createdAt: api.createdAt,
    updatedAt: api.updatedAt,
  });
  if (!api.crossId) delete out.crossId;
  if (api.description == null) delete out.description;
  if (api.deployedAt) out.deployedAt = api.deployedAt;
  if (extras.deploymentState) out.deploymentState = extras.deploymentState;
  if (extras.primaryOwner) out.primaryOwner = extras.primaryOwner;
  if (extras.selfUrl) {
    const hash = encodeURIComponent(api.updatedAt);
    out._links = {
      pictureUrl: `${extras.selfUrl}/picture?hash=${hash}`,
      backgroundUrl: `${extras.selfUrl}/background?hash=${hash}`,
    };
  }
  return out as ApiV4;
}
