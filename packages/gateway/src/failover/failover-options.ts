/**
 * The API's `failover` resolved once at deploy time, with Gravitee's defaults for absent fields.
 */
import type { Failover } from '@apim/core';

/** Resolved failover settings; undefined on the runtime when failover is off. */
export interface FailoverSettings {
  /** Further attempts on the next endpoints after the first one fails. */
  readonly maxRetries: number;
  /** A call whose response headers take longer (ms) is abandoned and counts as a failure; 0: no limit. */
  readonly slowCallDuration: number;
  /** How long (ms) an endpoint's circuit stays open before a trial request. */
  readonly openStateDuration: number;
  /** Consecutive failures that open an endpoint's circuit. */
  readonly maxFailures: number;
  /** Gravitee keeps one circuit per subscription; this gateway keeps one per endpoint (see README). */
  readonly perSubscription: boolean;
}

/** Gravitee's defaults (`FailoverOptions` of the v4 definition). */
export const FAILOVER_DEFAULTS = {
  maxRetries: 2,
  slowCallDuration: 2_000,
  openStateDuration: 10_000,
  maxFailures: 5,
  perSubscription: true,
} as const;

/**
 * The failover settings of an API, or undefined when it has none or they are disabled.
 *
 * @example resolveFailover({ enabled: true, maxRetries: 1 })?.slowCallDuration // 2000
 */
export function resolveFailover(failover: Failover | undefined): FailoverSettings | undefined {
  if (failover?.enabled !== true) return undefined;
  return Object.freeze({
    maxRetries: failover.maxRetries ?? FAILOVER_DEFAULTS.maxRetries,
    slowCallDuration: failover.slowCallDuration ?? FAILOVER_DEFAULTS.slowCallDuration,
    openStateDuration: failover.openStateDuration ?? FAILOVER_DEFAULTS.openStateDuration,
    maxFailures: failover.maxFailures ?? FAILOVER_DEFAULTS.maxFailures,
    perSubscription: failover.perSubscription ?? FAILOVER_DEFAULTS.perSubscription,
  });
}
