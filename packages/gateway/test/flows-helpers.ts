/**
 * Helpers of the flow tests: an API snapshot with flows (the bench passthrough API), v4 flow and step builders.
 */
import type { JsonObject } from '@apim/core';
import { snapshot } from './helpers.js';

/** A v4 step. */
export const step = (
  policy: string,
  configuration: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) => ({ name: policy, enabled: true, policy, configuration, ...extra }) as JsonObject;

/** A v4 flow; `path`/`methods` give it an HTTP selector. */
export function flow(options: {
  name?: string;
  path?: string;
  operator?: 'STARTS_WITH' | 'EQUALS';
  methods?: string[];
  condition?: string;
  request?: JsonObject[];
  response?: JsonObject[];
}): JsonObject {
  const selectors: JsonObject[] = [];
  if (options.path !== undefined)
    selectors.push({
      type: 'HTTP',
      path: options.path,
      pathOperator: options.operator ?? 'STARTS_WITH',
      methods: options.methods ?? [],
    });
  if (options.condition !== undefined) selectors.push({ type: 'CONDITION', condition: options.condition });
  return {
    name: options.name ?? 'flow',
    enabled: true,
    selectors,
    request: options.request ?? [],
    response: options.response ?? [],
    subscribe: [],
    publish: [],
  };
}

/** The bench passthrough snapshot on `/api` to `target`, with API flows, plan flows and other API fields. */
export function flowSnapshot(options: {
  target: string;
  id?: string;
  flows?: JsonObject[];
  planFlows?: JsonObject[];
  api?: JsonObject;
}): JsonObject {
  const base = snapshot({ id: options.id ?? 'flows-api', paths: [{ path: '/api' }], targets: [options.target] });
  const api = { ...(base.api as JsonObject), flows: options.flows ?? [], ...options.api };
  const plans = (base.plans as JsonObject[]).map((plan) => ({ ...plan, flows: options.planFlows ?? [] }));
  return { api, plans };
}
