/**
 * What `/_node/apis` shows of the deployed APIs: a summary of each runtime, and its definition as deployed with the
 * secrets redacted.
 */
import type { ConfigStore } from '@apim/core';
import type { ApiRegistry } from '../api-registry.js';
import type { ApiRuntime } from '../api-runtime.js';
import { withTimeout } from './probes.js';
import { redactSecrets } from './redact.js';

/** One deployed API, as listed by `GET /_node/apis`. */
export interface DeployedApiSummary {
  id: string;
  name: string;
  apiVersion: string;
  environmentId: string;
  /** Deployment revision (1, 2, ...) and the id of the deployment record. */
  revision: number;
  deploymentId: string;
  contextPaths: { host?: string; path: string }[];
  /** Always `STARTED`: a stopped API is undeployed. */
  state: 'STARTED';
  /** Requests being served by this deployment. */
  inFlight: number;
}

/** One deployed API with its definition, as shown by `GET /_node/apis/:id`. */
export interface DeployedApiDetail extends DeployedApiSummary {
  /** When the deployment was made (the deployment record's date), when the store could tell. */
  deployedAt?: string;
  /** The API definition and plans as deployed (validated, defaults applied), secrets redacted. */
  definition: { api: unknown; plans: unknown[] };
}

/** Summarises a deployed runtime. */
export function summarizeApi(runtime: ApiRuntime): DeployedApiSummary {
  return {
    id: runtime.id,
    name: runtime.name,
    apiVersion: runtime.definition.apiVersion,
    environmentId: runtime.environmentId,
    revision: runtime.revision,
    deploymentId: runtime.deploymentId,
    contextPaths: runtime.routes.map((route) =>
      route.host ? { host: route.host, path: route.path } : { path: route.path },
    ),
    state: 'STARTED',
    inFlight: runtime.inFlight,
  };
}

/**
 * A deployed runtime with its redacted definition.
 *
 * @example describeApi(registry.get('my-api')!, deployment?.createdAt);
 */
export function describeApi(runtime: ApiRuntime, deployedAt?: string): DeployedApiDetail {
  const detail: DeployedApiDetail = {
    ...summarizeApi(runtime),
    definition: { api: redactSecrets(runtime.definition), plans: redactSecrets([...runtime.plans]) },
  };
  if (deployedAt !== undefined) detail.deployedAt = deployedAt;
  return detail;
}

/**
 * What the node service shows of the deployed APIs: the registry of this process ({@link registryApiCatalog}), or a
 * cluster primary's entries with its workers' in-flight counts.
 */
export interface NodeApiCatalog {
  /** APIs deployed. */
  readonly size: number;
  list(): Promise<DeployedApiSummary[]>;
  /** One API with its redacted definition; undefined when it is not deployed. */
  describe(apiId: string): Promise<DeployedApiDetail | undefined>;
}

/**
 * The deployed APIs of a registry; `deployedAt` is read from the store's deployment record (1 s at most, left out on
 * failure).
 *
 * @example const apis = registryApiCatalog(gateway.registry, store); await apis.list();
 */
export function registryApiCatalog(registry: ApiRegistry, store: Pick<ConfigStore, 'deployments'>): NodeApiCatalog {
  return {
    get size() {
      return registry.size;
    },
    list: async () =>
      registry.ids().flatMap((id) => {
        const runtime = registry.get(id);
        return runtime ? [summarizeApi(runtime)] : [];
      }),
    async describe(apiId) {
      const runtime = registry.get(apiId);
      if (runtime === undefined) return undefined;
      // One read on the management port, never on the request path; the detail is served without it on failure.
      const deployment = await withTimeout(store.deployments.findById(runtime.deploymentId), 1_000, 'timeout').catch(
        () => undefined,
      );
      return describeApi(runtime, deployment?.createdAt);
    },
  };
}
