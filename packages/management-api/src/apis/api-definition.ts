import {
  type Api,
  type ApiDefinition,
  type FieldError,
  type JsonObject,
  type Plan,
  type PlanDefinition,
  ValidationError,
  validateApiDefinition,
  validatePlanDefinition,
} from '@apim/core';
import { defaultPolicyRegistry, flowErrors } from '../plugins/flow-validation.js';

/** Saving accepts policies this installation lacks (they are refused at deploy). */
const SAVING = { allowUnknownPolicies: true } as const;

/**
 * Keys of a v4 definition (or of an ApiV4 payload) that the API record keeps in its own columns, or that only
 * exist in responses. They are not stored in `Api.definition`.
 */
const RECORD_KEYS = [
  'crossId',
  'description',
  'state',
  'visibility',
  'lifecycleState',
  'workflowState',
  'categories',
  'labels',
  'groups',
  'primaryOwner',
  'environmentId',
  'deployedAt',
  'createdAt',
  'updatedAt',
  'originContext',
  'definitionContext',
  'deploymentState',
  'plans',
  'metadata',
  'picture',
  'background',
  '_links',
] as const;

/** Management-only keys that stay in `Api.definition` but never reach a gateway. */
const NOT_DEPLOYED_KEYS = ['disableMembershipNotifications', 'hrid'] as const;

/** Plan keys a gateway needs; the rest of a plan (comments, characteristics, dates...) stays on the management side. */
const DEPLOYED_PLAN_KEYS = [
  'id',
  'crossId',
  'name',
  'apiId',
  'definitionVersion',
  'security',
  'selectionRule',
  'mode',
  'status',
  'validation',
  'tags',
  'flows',
] as const;

function omit(source: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(source)) if (!keys.includes(key)) out[key] = value;
  return out;
}

/** Validates a v4 API definition or throws a 400 listing every problem by JSON pointer (code DEFINITION_INVALID). */
export function checkApiDefinition(input: JsonObject, extra: FieldError[] = []): ApiDefinition {
  const result = validateApiDefinition(input);
  const errors = [...extra, ...(result.ok ? [] : result.errors)];
  if (result.ok) errors.push(...flowErrors(defaultPolicyRegistry(), result.value.flows, '/flows', SAVING));
  if (!result.ok || errors.length > 0) {
    throw new ValidationError('The API definition is invalid.', errors, 'DEFINITION_INVALID');
  }
  return result.value;
}

/** Validates a v4 plan or throws a 400 listing every problem by JSON pointer (code DEFINITION_INVALID). */
export function checkPlanDefinition(input: JsonObject): PlanDefinition {
  const result = validatePlanDefinition(input);
  if (!result.ok) throw new ValidationError('The plan definition is invalid.', result.errors, 'DEFINITION_INVALID');
  const flows = flowErrors(defaultPolicyRegistry(), result.value.flows, '/flows', SAVING);
  if (flows.length > 0) throw new ValidationError('The plan definition is invalid.', flows, 'DEFINITION_INVALID');
  return result.value;
}

/** What `Api.definition` holds: the validated definition without the keys the record has columns for. */
export function toStoredDefinition(definition: ApiDefinition): JsonObject {
  return omit(definition as unknown as JsonObject, RECORD_KEYS);
}

/** The definition a gateway deploys: the stored definition with the record's current identity fields. */
export function deployableApi(api: Api): ApiDefinition {
  const definition = omit(api.definition, [...RECORD_KEYS, ...NOT_DEPLOYED_KEYS]);
  const tags = Array.isArray(api.definition.tags) ? api.definition.tags : [];
  return {
    ...definition,
    id: api.id,
    name: api.name,
    apiVersion: api.apiVersion,
    definitionVersion: 'V4',
    type: api.type,
    tags,
  } as ApiDefinition;
}

/** The plan as a gateway deploys it (record columns win over the stored JSON). */
export function deployablePlan(plan: Plan): PlanDefinition {
  const out: JsonObject = {};
  for (const key of DEPLOYED_PLAN_KEYS) if (plan.definition[key] !== undefined) out[key] = plan.definition[key];
  return {
    ...out,
    id: plan.id,
    name: plan.name,
    apiId: plan.apiId,
    definitionVersion: 'V4',
    status: plan.status,
    validation: plan.validation,
    ...(plan.crossId ? { crossId: plan.crossId } : {}),
  } as PlanDefinition;
}

/** Plans a deployment carries: PUBLISHED and DEPRECATED ones (deprecated plans still serve their subscribers). */
export function isDeployablePlan(plan: Plan): boolean {
  return plan.status === 'PUBLISHED' || plan.status === 'DEPRECATED';
}

/** The content of a deployment snapshot: `{ api, plans }`, plans in a stable order. */
export function deploymentDefinition(
  api: Api,
  plans: readonly Plan[],
): { api: ApiDefinition; plans: PlanDefinition[] } {
  const deployable = plans
    .filter(isDeployablePlan)
    .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id))
    .map(deployablePlan);
  return { api: deployableApi(api), plans: deployable };
}

/**
 * Checks the flows of a deployment snapshot (API and plans) against the policy registry, as the gateway will:
 * throws a 400 DEFINITION_INVALID whose details point at `/api/flows/...` or `/plans/<id>/flows/...`.
 */
export function checkDeploymentFlows(snapshot: { api: ApiDefinition; plans: readonly PlanDefinition[] }): void {
  const registry = defaultPolicyRegistry();
  const errors = flowErrors(registry, snapshot.api.flows, '/api/flows');
  for (const plan of snapshot.plans) errors.push(...flowErrors(registry, plan.flows, `/plans/${plan.id}/flows`));
  if (errors.length > 0) throw new ValidationError('The flows of the API are invalid.', errors, 'DEFINITION_INVALID');
}

/** JSON with sorted keys and no undefined members, to compare documents whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as JsonObject)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
