/**
 * Row types of the configuration tables, as Kysely sees them.
 *
 * Conventions shared by the three dialects: ids are VARCHAR(64); dates are ISO-8601 UTC strings with milliseconds
 * (`toISOString()`, fixed width, so text order is time order); JSON documents and string lists are JSON text;
 * booleans are integers 0/1. Nullable columns map to optional record fields (read back as `null`).
 */

export interface OrganizationRow {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface EnvironmentRow {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  hrids: string;
  created_at: string;
  updated_at: string;
}

export interface UserRow {
  id: string;
  organization_id: string;
  source: string;
  source_id: string;
  email: string | null;
  firstname: string | null;
  lastname: string | null;
  password_hash: string | null;
  roles: string;
  status: string;
  last_connection_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApiRow {
  id: string;
  environment_id: string;
  cross_id: string | null;
  name: string;
  api_version: string;
  description: string | null;
  type: string;
  definition_version: string;
  definition: string;
  state: string;
  lifecycle_state: string;
  visibility: string;
  labels: string;
  categories: string;
  groups: string;
  primary_owner_id: string | null;
  picture: string | null;
  background: string | null;
  deployed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface PlanRow {
  id: string;
  api_id: string;
  environment_id: string;
  cross_id: string | null;
  name: string;
  description: string | null;
  security_type: string;
  definition: string;
  status: string;
  validation: string;
  comment_required: number;
  sort_order: number;
  published_at: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApplicationRow {
  id: string;
  environment_id: string;
  name: string;
  description: string | null;
  type: string;
  client_id: string | null;
  status: string;
  primary_owner_id: string | null;
  picture: string | null;
  settings: string;
  /** `environment_id/client_id` while ACTIVE with a client id, else NULL: unique, so the client id is too. */
  active_client_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface SubscriptionRow {
  id: string;
  environment_id: string;
  api_id: string;
  plan_id: string;
  application_id: string;
  status: string;
  consumer_message: string | null;
  publisher_message: string | null;
  client_id: string | null;
  starting_at: string | null;
  ending_at: string | null;
  processed_at: string | null;
  processed_by: string | null;
  subscribed_by: string | null;
  closed_at: string | null;
  paused_at: string | null;
  configuration: string | null;
  metadata: string | null;
  /** `plan_id/application_id` while the subscription is live, else NULL: unique, one live subscription per pair. */
  live_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApiKeyRow {
  id: string;
  environment_id: string;
  application_id: string;
  /** The ordered list, as JSON text; `api_key_subscriptions` indexes it for search. */
  subscription_ids: string;
  key_hash: string;
  key_mask: string;
  revoked: number;
  revoked_at: string | null;
  paused: number;
  expire_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApiKeySubscriptionRow {
  api_key_id: string;
  subscription_id: string;
}

export interface DeploymentRow {
  id: string;
  api_id: string;
  environment_id: string;
  revision: number;
  label: string | null;
  definition: string;
  deployed_by: string | null;
  created_at: string;
}

export interface EventRow {
  id: string;
  environment_id: string | null;
  organization_id: string | null;
  type: string;
  payload: string;
  properties: string;
  /** `properties.api_id`, copied into its own indexed column. */
  api_id: string | null;
  created_at: string;
}

/** The configuration database. */
export interface Database {
  organizations: OrganizationRow;
  environments: EnvironmentRow;
  users: UserRow;
  apis: ApiRow;
  plans: PlanRow;
  applications: ApplicationRow;
  subscriptions: SubscriptionRow;
  api_keys: ApiKeyRow;
  api_key_subscriptions: ApiKeySubscriptionRow;
  deployments: DeploymentRow;
  events: EventRow;
}
