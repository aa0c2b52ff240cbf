/**
 * Repository interfaces: the ports every storage backend implements (SQL today, the HTTP bridge later).
 *
 * Records are plain JSON-serialisable objects. Dates are ISO-8601 strings in UTC so that records survive
 * every backend (and the bridge) unchanged. JSON documents (API definitions, plan definitions, event payloads)
 * are stored as-is; the management layer validates them before they reach a repository.
 */

/** A page of results. `page` is 1-based. */
export interface Page<T> {
  data: T[];
  page: number;
  perPage: number;
  totalCount: number;
}

export interface Pageable {
  /** 1-based page number; defaults to 1. */
  page?: number;
  /** Items per page; defaults to 20, capped by the implementation at 1000. */
  perPage?: number;
}

export type JsonObject = { [key: string]: unknown };

export interface Organization {
  id: string;
  name: string;
  description?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Environment {
  id: string;
  organizationId: string;
  name: string;
  description?: string | null;
  /** Human-readable ids, e.g. ["default"]. */
  hrids: string[];
  createdAt: string;
  updatedAt: string;
}

export type UserStatus = 'ACTIVE' | 'PENDING' | 'REJECTED' | 'ARCHIVED';

export interface User {
  id: string;
  organizationId: string;
  /** Identity source: `memory` for local accounts, an identity provider id otherwise. */
  source: string;
  /** Id of the user in its source (the login for local accounts). */
  sourceId: string;
  email?: string | null;
  firstname?: string | null;
  lastname?: string | null;
  /** A password hash in PHC string format (never a clear password). Null for external users. */
  passwordHash?: string | null;
  /** Organization-scope role names, e.g. ["ADMIN"]. */
  roles: string[];
  status: UserStatus;
  lastConnectionAt?: string | null;
  createdAt: string;
  updatedAt: string;
}

export type ApiState = 'STARTED' | 'STOPPED';
export type ApiLifecycleState = 'CREATED' | 'PUBLISHED' | 'UNPUBLISHED' | 'DEPRECATED' | 'ARCHIVED';
export type Visibility = 'PUBLIC' | 'PRIVATE';

export interface Api {
  id: string;
  environmentId: string;
  /** Stable id across environments (used by promotion and import). */
  crossId?: string | null;
  name: string;
  apiVersion: string;
  description?: string | null;
  /** `PROXY` or `MESSAGE`. */
  type: string;
  definitionVersion: string;
  /**
   * The API definition (v4 shape) without its plans: listeners, endpointGroups, flows, analytics, properties,
   * resources, failover, flowExecution, responseTemplates, tags... Validated by core before storage.
   */
  definition: JsonObject;
  state: ApiState;
  lifecycleState: ApiLifecycleState;
  visibility: Visibility;
  /** Labels, categories and groups as plain lists. */
  labels: string[];
  categories: string[];
  groups: string[];
  /** Id of the user who owns the API. */
  primaryOwnerId?: string | null;
  picture?: string | null;
  background?: string | null;
  deployedAt?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ApiCriteria {
  environmentId?: string;
  environmentIds?: string[];
  ids?: string[];
  state?: ApiState;
  crossId?: string;
  /** Case-insensitive match on name or description. */
  query?: string;
}

export type PlanStatus = 'STAGING' | 'PUBLISHED' | 'DEPRECATED' | 'CLOSED';
export type PlanValidation = 'AUTO' | 'MANUAL';

export interface Plan {
  id: string;
  apiId: string;
  environmentId: string;
  crossId?: string | null;
  name: string;
  description?: string | null;
  /** Security type as in the v4 definition: KEY_LESS, API_KEY, JWT, OAUTH2, MTLS. */
  securityType: string;
  /** The plan as it goes into an API definition: security (type, configuration), selectionRule, tags, flows. */
  definition: JsonObject;
  status: PlanStatus;
  validation: PlanValidation;
  commentRequired: boolean;
  order: number;
  publishedAt?: string | null;
  closedAt?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PlanCriteria {
  apiId?: string;
  environmentId?: string;
  statuses?: PlanStatus[];
  securityTypes?: string[];
}

export type ApplicationStatus = 'ACTIVE' | 'ARCHIVED';

export interface Application {
  id: string;
  environmentId: string;
  name: string;
  description?: string | null;
  /** SIMPLE, BROWSER, WEB, NATIVE, BACKEND_TO_BACKEND. */
  type: string;
  /** Unique among the ACTIVE applications of an environment (a create or update colliding raises ConflictError). */
  clientId?: string | null;
  status: ApplicationStatus;
  primaryOwnerId?: string | null;
  picture?: string | null;
  /** Free settings (app type, oauth client settings...). */
  settings: JsonObject;
  createdAt: string;
  updatedAt: string;
}

export interface ApplicationCriteria {
  environmentId?: string;
  ids?: string[];
  clientId?: string;
  status?: ApplicationStatus;
  query?: string;
}

export type SubscriptionStatus = 'PENDING' | 'ACCEPTED' | 'PAUSED' | 'REJECTED' | 'CLOSED';

export interface Subscription {
  id: string;
  environmentId: string;
  apiId: string;
  planId: string;
  applicationId: string;
  status: SubscriptionStatus;
  consumerMessage?: string | null;
  publisherMessage?: string | null;
  /** Client id of the application at subscription time (jwt/oauth2 plans). */
  clientId?: string | null;
  startingAt?: string | null;
  endingAt?: string | null;
  processedAt?: string | null;
  processedBy?: string | null;
  subscribedBy?: string | null;
  closedAt?: string | null;
  pausedAt?: string | null;
  /** The consumer's configuration (push plans: `{ entrypointId, channel, entrypointConfiguration }`). */
  configuration?: JsonObject | null;
  /** Free string metadata. */
  metadata?: Record<string, string> | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Statuses of a live subscription: an application holds at most one live subscription per plan (a create or
 * update that would make a second one raises ConflictError).
 */
export const LIVE_SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = ['PENDING', 'ACCEPTED', 'PAUSED'];

export interface SubscriptionCriteria {
  environmentId?: string;
  ids?: string[];
  apiId?: string;
  apiIds?: string[];
  planId?: string;
  planIds?: string[];
  applicationId?: string;
  applicationIds?: string[];
  statuses?: SubscriptionStatus[];
  /** Only subscriptions updated at or after this instant (incremental sync). */
  updatedSince?: string;
  /** Only subscriptions with an `endingAt` strictly before this instant. */
  endingBefore?: string;
}

/**
 * An API key. The clear key is never stored: `keyHash` is `hashApiKey(key)` (core's `security/api-key-hash.ts`,
 * what a gateway computes to look a key up), `keyMask` what listings show (`maskApiKey(key)`).
 */
export interface ApiKey {
  id: string;
  environmentId: string;
  applicationId: string;
  /** Subscriptions this key grants (one, or several in shared-key mode). */
  subscriptionIds: string[];
  /** Hash of the key (never the clear key). Implementations look keys up by this value. */
  keyHash: string;
  /** A display mask such as `abcd********wxyz`. */
  keyMask: string;
  revoked: boolean;
  revokedAt?: string | null;
  paused: boolean;
  expireAt?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ApiKeyCriteria {
  environmentId?: string;
  applicationId?: string;
  subscriptionId?: string;
  includeRevoked?: boolean;
  updatedSince?: string;
}

/** An immutable snapshot of what was deployed for an API. */
export interface Deployment {
  id: string;
  apiId: string;
  environmentId: string;
  /** 1, 2, 3... per API. */
  revision: number;
  label?: string | null;
  /** `{ api, plans }`: the API definition and its deployable plans at deploy time. */
  definition: JsonObject;
  deployedBy?: string | null;
  createdAt: string;
}

export type EventType =
  | 'PUBLISH_API'
  | 'START_API'
  | 'STOP_API'
  | 'UNPUBLISH_API'
  | 'PUBLISH_DICTIONARY'
  | 'UNPUBLISH_DICTIONARY'
  | 'START_DICTIONARY'
  | 'STOP_DICTIONARY'
  | 'PUBLISH_ORGANIZATION'
  | 'API_KEY_CHANGED'
  | 'SUBSCRIPTION_CHANGED'
  | 'PLAN_CHANGED'
  | 'GATEWAY_STARTED'
  | 'GATEWAY_STOPPED';

export interface Event {
  id: string;
  environmentId?: string | null;
  organizationId?: string | null;
  type: EventType;
  /** Free JSON payload (for API events: `{ deploymentId }`). */
  payload: JsonObject;
  /** Indexed properties, e.g. `{ api_id: '...' }`. */
  properties: Record<string, string>;
  createdAt: string;
}

export interface EventCriteria {
  environmentIds?: string[];
  types?: EventType[];
  /** Events whose `properties.api_id` is one of these. */
  apiIds?: string[];
  /** createdAt >= from (inclusive). */
  from?: string;
  /** createdAt < to (exclusive). */
  to?: string;
}

export interface OrganizationRepository {
  create(org: Organization): Promise<Organization>;
  findById(id: string): Promise<Organization | undefined>;
  findAll(): Promise<Organization[]>;
  update(org: Organization): Promise<Organization>;
  delete(id: string): Promise<void>;
}

export interface EnvironmentRepository {
  create(env: Environment): Promise<Environment>;
  findById(id: string): Promise<Environment | undefined>;
  findByOrganization(organizationId: string): Promise<Environment[]>;
  findAll(): Promise<Environment[]>;
  update(env: Environment): Promise<Environment>;
  delete(id: string): Promise<void>;
}

export interface UserRepository {
  create(user: User): Promise<User>;
  findById(id: string): Promise<User | undefined>;
  findBySource(organizationId: string, source: string, sourceId: string): Promise<User | undefined>;
  findByEmail(organizationId: string, email: string): Promise<User | undefined>;
  search(criteria: { organizationId?: string; query?: string }, pageable?: Pageable): Promise<Page<User>>;
  update(user: User): Promise<User>;
  delete(id: string): Promise<void>;
}

export interface ApiRepository {
  create(api: Api): Promise<Api>;
  findById(id: string): Promise<Api | undefined>;
  search(criteria: ApiCriteria, pageable?: Pageable): Promise<Page<Api>>;
  /** Replaces the whole record; throws NotFoundError when the id is unknown. */
  update(api: Api): Promise<Api>;
  delete(id: string): Promise<void>;
}

export interface PlanRepository {
  create(plan: Plan): Promise<Plan>;
  findById(id: string): Promise<Plan | undefined>;
  search(criteria: PlanCriteria): Promise<Plan[]>;
  update(plan: Plan): Promise<Plan>;
  delete(id: string): Promise<void>;
  deleteByApi(apiId: string): Promise<void>;
}

export interface ApplicationRepository {
  create(app: Application): Promise<Application>;
  findById(id: string): Promise<Application | undefined>;
  search(criteria: ApplicationCriteria, pageable?: Pageable): Promise<Page<Application>>;
  update(app: Application): Promise<Application>;
  delete(id: string): Promise<void>;
}

export interface SubscriptionRepository {
  create(sub: Subscription): Promise<Subscription>;
  findById(id: string): Promise<Subscription | undefined>;
  search(criteria: SubscriptionCriteria, pageable?: Pageable): Promise<Page<Subscription>>;
  update(sub: Subscription): Promise<Subscription>;
  delete(id: string): Promise<void>;
}

export interface ApiKeyRepository {
  create(key: ApiKey): Promise<ApiKey>;
  findById(id: string): Promise<ApiKey | undefined>;
  findByHash(environmentId: string, keyHash: string): Promise<ApiKey | undefined>;
  search(criteria: ApiKeyCriteria): Promise<ApiKey[]>;
  update(key: ApiKey): Promise<ApiKey>;
  delete(id: string): Promise<void>;
}

export interface DeploymentRepository {
  /** Stores a new snapshot; `revision` must be the next one for the API (unique per API). */
  create(deployment: Deployment): Promise<Deployment>;
  findById(id: string): Promise<Deployment | undefined>;
  findLatest(apiId: string): Promise<Deployment | undefined>;
  /**
   * The latest deployment (highest revision) of each of `apiIds` that has one, in one round trip or a few (what a
   * gateway reads at full sync instead of one {@link findLatest} per API). In no particular order; an API without
   * deployment is absent; duplicate ids are read once.
   */
  findLatestByApis(apiIds: readonly string[]): Promise<Deployment[]>;
  /** Newest first. */
  findByApi(apiId: string, pageable?: Pageable): Promise<Page<Deployment>>;
  deleteByApi(apiId: string): Promise<void>;
}

export interface EventRepository {
  create(event: Event): Promise<Event>;
  findById(id: string): Promise<Event | undefined>;
  /** Oldest first (createdAt, then id). */
  search(criteria: EventCriteria, pageable?: Pageable): Promise<Page<Event>>;
  /** For each API, its newest event among `types` (what a gateway needs at full sync). */
  findLatestByApi(criteria: EventCriteria): Promise<Event[]>;
  deleteByApi(apiId: string): Promise<void>;
}

/** Every repository of the configuration store. */
export interface Repositories {
  organizations: OrganizationRepository;
  environments: EnvironmentRepository;
  users: UserRepository;
  apis: ApiRepository;
  plans: PlanRepository;
  applications: ApplicationRepository;
  subscriptions: SubscriptionRepository;
  apiKeys: ApiKeyRepository;
  deployments: DeploymentRepository;
  events: EventRepository;
}

/** A configuration store: the repositories, transactions and lifecycle. */
export interface ConfigStore extends Repositories {
  /** A short name of the backend: `sqlite`, `postgres` or `mysql`. */
  readonly kind: string;
  /** Runs `fn` in one transaction; the repositories it receives write inside it. Rolls back when `fn` throws. */
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
  /** Checks the connection (health probes). Throws when the store is unreachable. */
  ping(): Promise<void>;
  /**
   * Subscribes to a change signal where the backend has one (PostgreSQL LISTEN/NOTIFY); returns an unsubscribe
   * function, or undefined when the backend has no push signal (polling is then the only way).
   */
  onChange?(listener: () => void): Promise<(() => Promise<void>) | undefined>;
  close(): Promise<void>;
}
