import {
  type Api,
  type ConfigStore,
  type Environment,
  type JsonObject,
  newId,
  nowIso,
  type Plan,
  type PlanDefinition,
  type PlanStatus,
} from '@apim/core';
import { checkPlanDefinition } from '../apis/api-definition.js';
import { findApi } from '../apis/api-service.js';
import { badRequest, planNotFound } from '../http/errors.js';
import { CreatePlanV4Body } from './plan-schemas.js';

/** The plan fields a client may set (anything else in the body is ignored, as Gravitee does). */
const EDITABLE_KEYS = Object.keys(CreatePlanV4Body.properties);

/**
 * The plan record of a validated v4 plan; the dates live in the record's columns only. Plans without security
 * (PUSH plans of message APIs) get the security type `PUSH`.
 */
export function toPlanRecord(definition: PlanDefinition, api: Api, now: string): Plan {
  const status = definition.status;
  const { createdAt: _c, updatedAt: _u, publishedAt, closedAt, ...stored } = definition;
  return {
    id: definition.id,
    apiId: api.id,
    environmentId: api.environmentId,
    crossId: definition.crossId ?? null,
    name: definition.name,
    description: definition.description ?? null,
    securityType: definition.security?.type ?? 'PUSH',
    definition: { ...(stored as JsonObject), apiId: api.id },
    status,
    validation: definition.validation,
    commentRequired: definition.commentRequired ?? false,
    order: definition.order ?? 0,
    publishedAt: status === 'STAGING' ? null : (publishedAt ?? now),
    closedAt: status === 'CLOSED' ? (closedAt ?? now) : null,
    createdAt: now,
    updatedAt: now,
  };
}

/** The plans of an API: create (STAGING), read, list by status and security, publish. */
export class PlanService {
  constructor(private readonly store: ConfigStore) {}

  /** Creates a STAGING plan; without an `order` it goes after the API's other plans. */
  async create(env: Environment, apiId: string, body: CreatePlanV4Body): Promise<Plan> {
    const api = await findApi(this.store, env, apiId);
    const existing = await this.store.plans.search({ apiId });
    const order = body.order ?? existing.reduce((max, p) => Math.max(max, p.order), 0) + 1;
    const fields: JsonObject = {};
    for (const key of EDITABLE_KEYS)
      if ((body as JsonObject)[key] !== undefined) fields[key] = (body as JsonObject)[key];
    const definition = checkPlanDefinition({
      ...fields,
      id: newId(),
      apiId,
      definitionVersion: 'V4',
      status: 'STAGING',
      order,
    });
    return this.store.plans.create(toPlanRecord(definition, api, nowIso()));
  }

  /** A plan of the API, or a 404 (also when the plan belongs to another API). */
  async get(env: Environment, apiId: string, planId: string): Promise<Plan> {
    await findApi(this.store, env, apiId);
    const plan = await this.store.plans.findById(planId);
    if (!plan || plan.apiId !== apiId) throw planNotFound(planId);
    return plan;
  }

  /** The API's plans with one of `statuses` (and one of `securities`, when given), by order. */
  async list(
    env: Environment,
    apiId: string,
    filter: { statuses: PlanStatus[]; securities?: string[]; mode?: string },
  ): Promise<Plan[]> {
    await findApi(this.store, env, apiId);
    const plans = await this.store.plans.search({
      apiId,
      statuses: filter.statuses,
      ...(filter.securities?.length ? { securityTypes: filter.securities } : {}),
    });
    return plans
      .filter((p) => !filter.mode || (p.definition.mode ?? 'STANDARD') === filter.mode)
      .sort((a, b) => a.order - b.order || a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Publishes a STAGING plan (subscribers can see it; the next deployment carries it). Any other status is a 400,
   * as in Gravitee.
   */
  async publish(env: Environment, apiId: string, planId: string): Promise<Plan> {
    const plan = await this.get(env, apiId, planId);
    if (plan.status !== 'STAGING') {
      const reason = plan.status === 'PUBLISHED' ? 'is already published' : `is ${plan.status.toLowerCase()}`;
      throw badRequest(`Plan [${planId}] ${reason}: only a STAGING plan can be published.`, 'plan.status.invalid', {
        plan: planId,
        status: plan.status,
      });
    }
    const now = nowIso();
    return this.store.plans.update({
      ...plan,
      status: 'PUBLISHED',
      definition: { ...plan.definition, status: 'PUBLISHED' },
      publishedAt: now,
      updatedAt: now,
    });
  }
}
