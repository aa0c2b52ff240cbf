/**
 * The `http-health-check` service of an endpoint resolved at deploy time: the group's `services.healthCheck`, or the
 * endpoint's own when it sets `overrideConfiguration`. The schedule is parsed and the assertion compiled here, once.
 */
import { type CompiledTemplate, compileTemplate, type Endpoint, type EndpointGroup } from '@apim/core';
import { type CronSchedule, parseCronSchedule } from './cron-schedule.js';

/** Gravitee's defaults for the fields of `http-health-check` left out. */
export const HEALTH_CHECK_DEFAULTS = {
  schedule: '*/1 * * * * *',
  method: 'GET',
  target: '/',
  assertion: '{#response.status == 200}',
  successThreshold: 2,
  failureThreshold: 2,
} as const;

/** A resolved, compiled health check. */
export interface HealthCheckConfig {
  readonly schedule: CronSchedule;
  readonly method: string;
  /** Path relative to the endpoint target, or (with `overrideEndpointPath`) the path or absolute URL to call. */
  readonly target: string;
  readonly overrideEndpointPath: boolean;
  /** Flat `[name, value, ...]` list. */
  readonly headers: readonly string[];
  readonly assertion: CompiledTemplate;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

/**
 * The health check that applies to an endpoint, or undefined when none is enabled. Throws on an invalid schedule or
 * assertion (the deployment is rejected, as an invalid definition).
 *
 * @example resolveHealthCheck(group, group.endpoints[0])?.failureThreshold
 */
export function resolveHealthCheck(group: EndpointGroup, endpoint: Endpoint): HealthCheckConfig | undefined {
  const own = endpoint.services?.healthCheck;
  const service = own?.overrideConfiguration === true ? own : group.services?.healthCheck;
  if (service === undefined || service.enabled !== true) return undefined;
  if (service.type !== 'http-health-check') {
    throw new Error(`endpoint [${endpoint.name}]: health check type [${service.type}] is not supported`);
  }
  const config = service.configuration ?? {};
  const assertion = config.assertion?.trim() ? config.assertion : HEALTH_CHECK_DEFAULTS.assertion;
  return {
    schedule: parseCronSchedule(config.schedule?.trim() || HEALTH_CHECK_DEFAULTS.schedule),
    method: (config.method || HEALTH_CHECK_DEFAULTS.method).toUpperCase(),
    target: config.target || HEALTH_CHECK_DEFAULTS.target,
    overrideEndpointPath: config.overrideEndpointPath === true,
    headers: (config.headers ?? []).filter((h) => h.name.trim() !== '').flatMap((h) => [h.name.trim(), h.value]),
    assertion: compileTemplate(assertion),
    successThreshold: config.successThreshold ?? HEALTH_CHECK_DEFAULTS.successThreshold,
    failureThreshold: config.failureThreshold ?? HEALTH_CHECK_DEFAULTS.failureThreshold,
  };
}
