/**
 * The policy contract: a declaration (id, version, phases, configuration schema) and a factory that runs once per
 * deployment with the validated, defaulted, frozen configuration.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { ExecutionContext, PolicyLogger } from './execution-context.js';

/** Where a policy can run: proxy request/response, or per message of an event API. */
export type PolicyPhase = 'request' | 'response' | 'message-request' | 'message-response';

/** Policy categories, as the console groups them. */
export type PolicyCategory = 'security' | 'transformation' | 'traffic' | 'performance' | 'others';

/** What a factory receives besides its configuration. */
export interface PolicyFactoryContext {
  readonly policyId: string;
  /** The API being deployed, when known. */
  readonly apiId?: string;
  readonly logger: PolicyLogger;
  /** The API's resources (authentication providers, caches, OAuth2 servers...) that configurations name. */
  readonly resources?: readonly PolicyResource[];
  /**
   * Services the gateway shares with policies, by name (e.g. `rateLimit`, the counter store of the rate-limit, quota
   * and spike-arrest policies). A policy that needs one and does not find it throws at create time.
   */
  readonly services?: Readonly<Record<string, unknown>>;
}

/** A resource of the API, as a policy factory sees it. */
export interface PolicyResource {
  readonly name: string;
  readonly type: string;
  readonly configuration?: Readonly<Record<string, unknown>> | undefined;
  readonly enabled: boolean;
}

/**
 * One policy instance: the per-request methods. Each returns `undefined` when it is done synchronously (the chain
 * runner then allocates nothing) or a promise.
 */
export interface PolicyInstance {
  onRequest?(exec: ExecutionContext): void | Promise<void>;
  onResponse?(exec: ExecutionContext): void | Promise<void>;
}

/** A documented configuration example: rendered in docs/policies.md and validated by a test. */
export interface PolicyExample {
  title: string;
  description?: string;
  configuration: Record<string, unknown>;
}

/** What `definePolicy` takes. */
export interface PolicyDeclaration<S extends TSchema = TSchema> {
  /** kebab-case plugin id, as Gravitee names it (`transform-headers`). */
  id: string;
  version: string;
  name: string;
  description: string;
  category: PolicyCategory;
  phases: readonly PolicyPhase[];
  /** Bodies the policy reads: the gateway buffers them only for flows with such a step. */
  needsBody?: { request?: boolean; response?: boolean };
  /**
   * The configuration's JSON Schema (TypeBox): titles, descriptions and defaults for the form and the docs; `x-el: true`
   * on strings that are EL templates (checked at deploy time); `x-ui` for form hints (`{ widget: 'code' }`...).
   */
  schema: S;
  examples?: readonly PolicyExample[];
  /** Builds the instance once per deployment. May throw for a configuration the schema cannot express. */
  create(config: Readonly<Static<S>>, ctx: PolicyFactoryContext): PolicyInstance;
}

/** A declared policy, as registries and loaders handle it. */
export interface PolicyPlugin<S extends TSchema = TSchema> extends Readonly<PolicyDeclaration<S>> {
  readonly kind: 'policy';
}

/**
 * Declares a policy. The result is frozen; registries and `loadPolicyPackages` recognise it by `kind: 'policy'`.
 *
 * @example
 * export default definePolicy({
 *   id: 'latency', version: '1.0.0', name: 'Latency', description: 'Adds latency.', category: 'others',
 *   phases: ['request'], schema: LatencySchema,
 *   create: (config) => ({ onRequest: () => sleep(config.time) }),
 * });
 */
export function definePolicy<S extends TSchema>(declaration: PolicyDeclaration<S>): PolicyPlugin<S> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(declaration.id))
    throw new TypeError(`policy id [${declaration.id}] must be kebab-case`);
  if (declaration.phases.length === 0) throw new TypeError(`policy [${declaration.id}] declares no phase`);
  return Object.freeze({ ...declaration, kind: 'policy' as const });
}

/** True for a value produced by `definePolicy` (also across package copies: checked by shape). */
export function isPolicyPlugin(value: unknown): value is PolicyPlugin {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<PolicyPlugin>;
  return v.kind === 'policy' && typeof v.id === 'string' && typeof v.create === 'function' && Array.isArray(v.phases);
}
