/**
 * Plan resolution: which plan of the API serves a request. This slice knows keyless plans only; the security
 * slice replaces {@link createPlanResolver} with one that reads credentials (API key, JWT, OAuth2, mTLS).
 */
import type { IncomingMessage } from 'node:http';
import { PLAN_SECURITY_ALIASES, type PlanDefinition } from '@apim/core';

/** Returns the plan serving a request, or undefined (401 GATEWAY_PLAN_UNRESOLVABLE). */
export type PlanResolver = (req: IncomingMessage) => PlanDefinition | undefined;

/** Plan statuses whose plans take traffic. */
const SERVING_STATUSES: ReadonlySet<string> = new Set(['PUBLISHED', 'DEPRECATED']);

/** `key-less`, `keyless`, `KEY_LESS` -> `KEY_LESS`. */
export function securityTypeOf(plan: PlanDefinition): string | undefined {
  const type = plan.security?.type;
  if (typeof type !== 'string') return undefined;
  return PLAN_SECURITY_ALIASES[type.toLowerCase()] ?? type.toUpperCase();
}

/** Whether a plan takes traffic at all (published or deprecated, standard mode). */
export function isServingPlan(plan: PlanDefinition): boolean {
  return SERVING_STATUSES.has(plan.status) && (plan.mode ?? 'STANDARD') === 'STANDARD';
}

/**
 * Builds the resolver of an API once per deployment: the first serving keyless plan (by `order`) serves every
 * request; without one, no request is served.
 *
 * @example
 * const resolve = createPlanResolver(plans);
 * if (resolve(req) === undefined) writeFailure(req, res, failure('GATEWAY_PLAN_UNRESOLVABLE'));
 */
export function createPlanResolver(plans: readonly PlanDefinition[]): PlanResolver {
  const keyless = plans
    .filter((plan) => isServingPlan(plan) && securityTypeOf(plan) === 'KEY_LESS')
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))[0];
  return keyless === undefined ? () => undefined : () => keyless;
}
