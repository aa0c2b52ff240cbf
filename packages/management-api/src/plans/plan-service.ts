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
  type Repositories,
} from '@apim/core';
import { checkPlanDefinition } from '../apis/api-definition.js';
import { findApi } from '../apis/api-service.js';
import { badRequest, invalidField, planNotFound } from '../http/errors.js';
import type { SubscriptionService } from '../subscriptions/subscription-service.js';
import { CreatePlanV4Body, UpdatePlanV4Body } from './plan-schemas.js';

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

/** Fields a PUT replaces: when absent they are cleared (the others are kept: security, validation, order...). */
const CLEARED_ON_UPDATE = [
  'description',
  'selectionRule',
  'tags',
  'flows',
  'characteristics',
  'excludedGroups',
  'commentMessage',
  'generalConditions',
] as const;
const UPDATABLE_KEYS = Object.keys(UpdatePlanV4Body.properties).filter((k) => k !== 'security');

function statusError(plan: Plan, action: string, allowed: string): never {
  throw badRequest(
    `Plan [${plan.id}] is ${plan.status}: only a ${allowed} plan can be ${action}.`,
    'plan.status.invalid',
    { plan: plan.id, status: plan.status },
  );
}

/**
 * The plans of an API: create (STAGING), read, list by status and security, update, and the lifecycle STAGING ->
 * PUBLISHED -> DEPRECATED -> CLOSED (any status but CLOSED may close; only STAGING and CLOSED plans may be deleted).
 * Status changes of a deployed API's plans reach gateways with the next deployment, as in Gravitee; closing a plan
 * closes its subscriptions (and revokes their keys) at once.
 */
export class PlanService {
  constructor(
    private readonly store: ConfigStore,
    private readonly subscriptions: SubscriptionService,
  ) {}

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

  /**
   * Replaces the editable fields of a plan (UpdatePlanV4), validated as on create. The security type, mode and
   * status cannot change here; absent texts and lists are cleared, absent security configuration, validation,
   * order and commentRequired are kept. A CLOSED plan cannot change.
   */
  async update(env: Environment, apiId: string, planId: string, body: UpdatePlanV4Body): Promise<Plan> {
    const api = await findApi(this.store, env, apiId);
    const plan = await this.get(env, apiId, planId);
    if (plan.status === 'CLOSED') statusError(plan, 'updated', 'STAGING, PUBLISHED or DEPRECATED');
    const kept: JsonObject = { ...plan.definition };
    for (const key of CLEARED_ON_UPDATE) delete kept[key];
    const fields: JsonObject = {};
    for (const key of UPDATABLE_KEYS) {
      if ((body as JsonObject)[key] !== undefined) fields[key] = (body as JsonObject)[key];
    }
    const security = (plan.definition.security as JsonObject | undefined) ?? undefined;
    const definition = checkPlanDefinition({
      ...kept,
      ...fields,
      ...(security
        ? {
            security: {
              ...security,
              type: body.security?.type ?? security.type,
              ...(body.security && 'configuration' in body.security
                ? { configuration: body.security.configuration }
                : {}),
            },
          }
        : {}),
      id: plan.id,
      apiId,
      definitionVersion: 'V4',
      status: plan.status,
    });
    const securityType = definition.security?.type ?? 'PUSH';
    if (securityType !== plan.securityType) {
      throw invalidField('/security/type', `cannot be changed (the plan is ${plan.securityType})`);
    }
    const now = nowIso();
    return this.store.plans.update({
      ...toPlanRecord(definition, api, now),
      publishedAt: plan.publishedAt ?? null,
      closedAt: plan.closedAt ?? null,
      createdAt: plan.createdAt,
    });
  }

  /** PUBLISHED -> DEPRECATED: no new subscriptions; existing ones keep working. Writes a PLAN_CHANGED event. */
  async deprecate(env: Environment, apiId: string, planId: string, actor: string): Promise<Plan> {
    return this.subscriptions.run(env, actor, async (op) => {
      const plan = await this.getWithin(op.repos, env, apiId, planId);
      if (plan.status !== 'PUBLISHED') statusError(plan, 'deprecated', 'PUBLISHED');
      const deprecated = await op.repos.plans.update({
        ...plan,
        status: 'DEPRECATED',
        definition: { ...plan.definition, status: 'DEPRECATED' },
        updatedAt: op.now,
      });
      await op.events.plan(deprecated, 'DEPRECATED');
      return deprecated;
    });
  }

  /**
   * Closes a plan (any status but CLOSED) and, in the same transaction, every live subscription of it (their keys
   * are revoked unless shared with another live subscription), with their events and a PLAN_CHANGED event.
   */
  async close(env: Environment, apiId: string, planId: string, actor: string): Promise<Plan> {
    return this.subscriptions.run(env, actor, async (op) => {
      const plan = await this.getWithin(op.repos, env, apiId, planId);
      if (plan.status === 'CLOSED') statusError(plan, 'closed', 'STAGING, PUBLISHED or DEPRECATED');
      const closed = await op.repos.plans.update({
        ...plan,
        status: 'CLOSED',
        definition: { ...plan.definition, status: 'CLOSED' },
        closedAt: op.now,
        updatedAt: op.now,
      });
      await this.subscriptions.closeAllWithin(op, { planId });
      await op.events.plan(closed, 'CLOSED');
      return closed;
    });
  }

  /** Deletes a STAGING or CLOSED plan (400 otherwise). */
  async delete(env: Environment, apiId: string, planId: string): Promise<void> {
    await this.store.transaction(async (repos) => {
      const plan = await this.getWithin(repos, env, apiId, planId);
      if (plan.status !== 'STAGING' && plan.status !== 'CLOSED') statusError(plan, 'deleted', 'STAGING or CLOSED');
      await repos.plans.delete(plan.id);
    });
  }

  private async getWithin(repos: Repositories, env: Environment, apiId: string, planId: string): Promise<Plan> {
    await findApi(repos, env, apiId);
    const plan = await repos.plans.findById(planId);
    if (!plan || plan.apiId !== apiId) throw planNotFound(planId);
    return plan;
  }
}
