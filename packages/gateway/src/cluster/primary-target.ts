/**
 * Where the sync of a cluster primary deploys: nothing is compiled in the primary. Each deploy and undeploy is sent
 * to the workers (which compile), and the primary keeps a summary of each API for the node service (`/_node/apis`,
 * the deployed-APIs gauge). The full definitions stay where the sync keeps them for the local copy, and are read from
 * there for a new worker's snapshot and for `/_node/apis/:id`.
 */
import { validateApiDefinition, validatePlanDefinition } from '@apim/core';
import type { Logger } from 'pino';
import type { KeptLocalEntry, LocalApiEntry } from '../local-state.js';
import type { DeployedApiDetail, DeployedApiSummary, NodeApiCatalog } from '../node/api-views.js';
import { redactSecrets } from '../node/redact.js';
import { filterPlansByTags, type ShardingTags } from '../sharding-tags.js';
import type { DeploymentTarget } from '../sync-reconciler.js';
import type { PrimaryMessage } from './protocol.js';

type Summary = Omit<DeployedApiSummary, 'inFlight'>;

export interface BroadcastTargetOptions {
  /** Sends a message to every worker that has received its snapshot. */
  broadcast(message: PrimaryMessage): void;
  /** The sync's kept entry of an API (its deployment snapshot), for `/_node/apis/:id`. */
  entry(apiId: string): KeptLocalEntry | undefined;
  /** The in-flight requests of the workers by API, for `/_node/apis` (empty when they do not answer). */
  inFlight(): Promise<Map<string, number>>;
  /** The gateway's sharding tags (the plans shown are those served). */
  tags: ShardingTags;
  logger: Logger;
}

/** The cluster primary's {@link DeploymentTarget}, and the node service's view of the workers' APIs. */
export class BroadcastTarget implements DeploymentTarget, NodeApiCatalog {
  readonly #options: BroadcastTargetOptions;
  /** By API: what is served, and the previous deployment (kept until a worker rejects the current one, if ever). */
  readonly #apis = new Map<string, { current: Summary; previous: Summary | undefined }>();
  readonly #rejected = new Set<string>();

  constructor(options: BroadcastTargetOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#apis.size;
  }

  ids(): string[] {
    return [...this.#apis.keys()];
  }

  has(apiId: string): boolean {
    return this.#apis.has(apiId);
  }

  deploymentOf(apiId: string): string | undefined {
    return this.#apis.get(apiId)?.current.deploymentId;
  }

  deploy(entry: LocalApiEntry): void {
    const current = summaryOf(entry);
    this.#apis.set(entry.api.id, { current, previous: this.#apis.get(entry.api.id)?.current });
    this.#options.broadcast({ apim: 'deploy', entry: JSON.stringify(entry) });
  }

  undeploy(apiId: string): boolean {
    if (!this.#apis.delete(apiId)) return false;
    this.#options.broadcast({ apim: 'undeploy', apiId });
    return true;
  }

  /**
   * A worker could not compile a deployment (each worker reports it; the first report counts): the workers keep
   * serving the previous deployment, so the node service shows that one again.
   */
  rejected(apiId: string, deploymentId: string, revision: number): void {
    if (this.#rejected.has(deploymentId)) return;
    this.#rejected.add(deploymentId);
    const api = this.#apis.get(apiId);
    if (api === undefined || api.current.deploymentId !== deploymentId) return;
    this.#options.logger.error({ api: apiId, revision }, 'deployment rejected by the workers');
    if (api.previous === undefined) this.#apis.delete(apiId);
    else this.#apis.set(apiId, { current: api.previous, previous: undefined });
  }

  async list(): Promise<DeployedApiSummary[]> {
    const inFlight = await this.#options.inFlight();
    return [...this.#apis.values()].map(({ current }) => ({ ...current, inFlight: inFlight.get(current.id) ?? 0 }));
  }

  async describe(apiId: string): Promise<DeployedApiDetail | undefined> {
    const api = this.#apis.get(apiId);
    const kept = this.#options.entry(apiId);
    if (api === undefined || kept === undefined) return undefined;
    const entry = JSON.parse(kept.json()) as LocalApiEntry;
    if (entry.deployment.id !== api.current.deploymentId) return undefined;
    const inFlight = (await this.#options.inFlight()).get(apiId) ?? 0;
    return {
      ...api.current,
      inFlight,
      deployedAt: entry.deployment.createdAt,
      definition: redactSecrets(validated(entry, this.#options.tags)),
    };
  }
}

/** The `/_node/apis` fields of an entry, read from its snapshot without compiling it. */
function summaryOf({ api, deployment }: LocalApiEntry): Summary {
  const definition = (deployment.definition.api ?? {}) as {
    name?: unknown;
    apiVersion?: unknown;
    listeners?: { type?: unknown; entrypoints?: { type?: unknown }[]; paths?: { host?: string; path: string }[] }[];
  };
  const contextPaths: { host?: string; path: string }[] = [];
  for (const listener of definition.listeners ?? []) {
    if (listener.type !== 'HTTP' || !(listener.entrypoints ?? []).some((e) => e.type === 'http-proxy')) continue;
    for (const { host, path } of listener.paths ?? []) contextPaths.push(host ? { host, path } : { path });
  }
  return {
    id: api.id,
    name: typeof definition.name === 'string' ? definition.name : api.name,
    apiVersion: typeof definition.apiVersion === 'string' ? definition.apiVersion : '',
    environmentId: api.environmentId,
    revision: deployment.revision,
    deploymentId: deployment.id,
    contextPaths,
    state: 'STARTED',
  };
}

/** The snapshot as a worker deploys it: plans filtered by tags, schema defaults applied, invalid plans skipped. */
function validated({ api, deployment }: LocalApiEntry, tags: ShardingTags): { api: unknown; plans: unknown[] } {
  const snapshot = filterPlansByTags(deployment.definition, tags) as { api?: Record<string, unknown>; plans?: unknown };
  const { plans: embedded, ...raw } = snapshot.api ?? {};
  const rawPlans: unknown[] = Array.isArray(snapshot.plans) ? snapshot.plans : Array.isArray(embedded) ? embedded : [];
  const definition = validateApiDefinition({ ...raw, id: raw.id ?? api.id });
  const plans = rawPlans.flatMap((plan) => {
    const result = validatePlanDefinition(plan);
    return result.ok ? [result.value] : [];
  });
  return { api: definition.ok ? definition.value : raw, plans };
}
