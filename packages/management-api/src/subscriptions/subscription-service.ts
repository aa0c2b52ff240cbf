import {
  type Application,
  type ConfigStore,
  type Environment,
  hashApiKey,
  type JsonObject,
  LIVE_SUBSCRIPTION_STATUSES,
  newId,
  nowIso,
  type Page,
  type Plan,
  type Repositories,
  type Subscription,
  type SubscriptionStatus,
} from '@apim/core';
import { type ApiKeyMode, type ApiKeyService, apiKeyModeOf, type IssuedApiKey } from '../api-keys/api-key-service.js';
import { findApi } from '../apis/api-service.js';
import {
  applicationNotFound,
  badRequest,
  invalidField,
  parseDate,
  planNotFound,
  subscriptionNotFound,
} from '../http/errors.js';
import { type Operation, operation, type SubscriptionAction } from './change-events.js';

/** What a subscriber sends (v2 CreateSubscription, or v1 NewSubscriptionEntity mapped to it). */
export interface SubscribeInput {
  planId: string;
  applicationId: string;
  consumerMessage?: string;
  customApiKey?: string;
  configuration?: JsonObject;
  metadata?: Record<string, string>;
  apiKeyMode?: ApiKeyMode;
}

/** A subscription after a change, with the key the change created (its clear value is in the response, once). */
export interface SubscriptionChange {
  subscription: Subscription;
  issued?: IssuedApiKey;
  application?: Application;
}

export interface SubscriptionFilter {
  applicationIds?: string[];
  planIds?: string[];
  statuses?: SubscriptionStatus[];
  apiKey?: string;
}

/** The identity of whoever changes a subscription: a user id, or `system` for scheduled work. */
export type Actor = string;

const isLive = (sub: Subscription) => LIVE_SUBSCRIPTION_STATUSES.includes(sub.status);

function wrongStatus(sub: Subscription, verb: string, expected: string): never {
  throw badRequest(
    `Subscription [${sub.id}] is ${sub.status}: only a ${expected} subscription can be ${verb}.`,
    'subscription.status.invalid',
    { subscription: sub.id, status: sub.status },
  );
}

/**
 * Subscriptions of applications to plans, and their lifecycle: subscribe (AUTO plans accept at once), accept,
 * reject, pause, resume, update, transfer, close, and the closing of ended subscriptions. Every change runs in one
 * transaction with its key changes and the SUBSCRIPTION_CHANGED / API_KEY_CHANGED events gateways sync by.
 */
export class SubscriptionService {
  constructor(
    private readonly store: ConfigStore,
    readonly keys: ApiKeyService,
  ) {}

  /** Runs `fn` as one {@link Operation} in a transaction. */
  run<T>(env: Environment, actor: Actor, fn: (op: Operation) => Promise<T>): Promise<T> {
    return this.store.transaction((repos) => fn(operation(repos, env, actor, nowIso())));
  }

  /** A subscription of the API in the environment, or a 404 (`api.notFound` first when the API is unknown). */
  async find(repos: Repositories, env: Environment, apiId: string, subscriptionId: string): Promise<Subscription> {
    await findApi(repos, env, apiId);
    const sub = await repos.subscriptions.findById(subscriptionId);
    if (!sub || sub.environmentId !== env.id || sub.apiId !== apiId) throw subscriptionNotFound(subscriptionId);
    return sub;
  }

  /** One page of the API's subscriptions (filters combine with AND; `apiKey` is a clear key, looked up by hash). */
  async list(
    env: Environment,
    apiId: string,
    filter: SubscriptionFilter,
    page: number,
    perPage: number,
  ): Promise<Page<Subscription>> {
    await findApi(this.store, env, apiId);
    let ids: string[] | undefined;
    if (filter.apiKey !== undefined) {
      const key = await this.store.apiKeys.findByHash(env.id, hashApiKey(filter.apiKey));
      ids = key?.subscriptionIds ?? [];
    }
    return this.store.subscriptions.search(
      {
        environmentId: env.id,
        apiId,
        ...(ids ? { ids } : {}),
        ...(filter.applicationIds?.length ? { applicationIds: filter.applicationIds } : {}),
        ...(filter.planIds?.length ? { planIds: filter.planIds } : {}),
        ...(filter.statuses ? { statuses: filter.statuses } : {}),
      },
      { page, perPage },
    );
  }

  /** Subscribes to a plan of the API (`POST .../apis/{apiId}/subscriptions`). */
  async create(env: Environment, apiId: string, input: SubscribeInput, actor: Actor): Promise<SubscriptionChange> {
    return this.run(env, actor, async (op) => {
      await findApi(op.repos, env, apiId);
      const plan = await op.repos.plans.findById(input.planId);
      if (!plan || plan.apiId !== apiId) throw planNotFound(input.planId);
      return this.subscribe(op, plan, input);
    });
  }

  /** Subscribes an application to a plan of any API of the environment (v1 `POST .../applications/{id}/subscriptions`). */
  async createForApplication(env: Environment, input: SubscribeInput, actor: Actor): Promise<SubscriptionChange> {
    return this.run(env, actor, async (op) => {
      const plan = await op.repos.plans.findById(input.planId);
      if (!plan || plan.environmentId !== env.id) throw planNotFound(input.planId);
      return this.subscribe(op, plan, input);
    });
  }

  private async subscribe(op: Operation, plan: Plan, input: SubscribeInput): Promise<SubscriptionChange> {
    const { repos, env, now, actor } = op;
    const app = await repos.applications.findById(input.applicationId);
    if (!app || app.environmentId !== env.id) throw applicationNotFound(input.applicationId);
    if (app.status !== 'ACTIVE') {
      throw badRequest(`Application [${app.id}] is archived.`, 'application.archived', { application: app.id });
    }
    if (plan.status !== 'PUBLISHED') {
      throw badRequest(
        `Plan [${plan.id}] is ${plan.status}: only a PUBLISHED plan can be subscribed to.`,
        'plan.notPublished',
        { plan: plan.id, status: plan.status },
      );
    }
    if (plan.securityType === 'KEY_LESS') {
      throw badRequest(`Plan [${plan.id}] is keyless: there is nothing to subscribe to.`, 'plan.notSubscribable', {
        plan: plan.id,
      });
    }
    const message = input.consumerMessage?.trim() ? input.consumerMessage : undefined;
    if (plan.commentRequired && !message) {
      throw invalidField('/consumerMessage', 'is required by the plan', 'subscription.consumerMessage.required');
    }
    if ((plan.securityType === 'JWT' || plan.securityType === 'OAUTH2') && !app.clientId) {
      throw badRequest(
        `Application [${app.id}] has no client id: it cannot subscribe to a ${plan.securityType} plan.`,
        'application.clientId.missing',
        { application: app.id },
      );
    }
    const isApiKey = plan.securityType === 'API_KEY';
    if (input.customApiKey !== undefined && !isApiKey) {
      throw invalidField('/customApiKey', 'is only accepted by API_KEY plans', 'apiKey.custom.notApiKeyPlan');
    }
    this.keys.checkCustomKey(input.customApiKey);
    await this.assertNoLiveSubscription(repos, plan.id, app.id);
    const subscriber = isApiKey ? await this.applyApiKeyMode(op, app, input.apiKeyMode) : app;

    const auto = plan.validation === 'AUTO';
    const sub = await repos.subscriptions.create({
      id: newId(),
      environmentId: env.id,
      apiId: plan.apiId,
      planId: plan.id,
      applicationId: app.id,
      status: auto ? 'ACCEPTED' : 'PENDING',
      consumerMessage: message ?? null,
      publisherMessage: null,
      clientId: app.clientId ?? null,
      startingAt: auto ? now : null,
      endingAt: null,
      processedAt: auto ? now : null,
      processedBy: auto ? actor : null,
      subscribedBy: actor,
      closedAt: null,
      pausedAt: null,
      configuration: input.configuration ?? null,
      metadata: input.metadata ?? null,
      createdAt: now,
      updatedAt: now,
    });
    await op.events.subscription(sub, 'CREATED');
    const issued = auto && isApiKey ? await this.keys.issue(op, sub, subscriber, input.customApiKey) : undefined;
    return { subscription: sub, application: subscriber, ...(issued ? { issued } : {}) };
  }

  private async assertNoLiveSubscription(repos: Repositories, planId: string, applicationId: string): Promise<void> {
    const live = await repos.subscriptions.search(
      { planId, applicationId, statuses: [...LIVE_SUBSCRIPTION_STATUSES] },
      { perPage: 1 },
    );
    if (live.totalCount > 0) {
      throw badRequest(
        `Application [${applicationId}] already has a subscription to plan [${planId}].`,
        'subscription.alreadyExists',
        { plan: planId, application: applicationId },
      );
    }
  }

  /** Sets the application's API key mode on its first choice; a chosen mode cannot change (400). */
  private async applyApiKeyMode(op: Operation, app: Application, mode: ApiKeyMode | undefined): Promise<Application> {
    if (mode === undefined || mode === 'UNSPECIFIED') return app;
    const current = apiKeyModeOf(app);
    if (current === mode) return app;
    if (current !== 'UNSPECIFIED') {
      throw badRequest(
        `Application [${app.id}] already uses the API key mode ${current}.`,
        'application.apiKeyMode.locked',
        { application: app.id, apiKeyMode: current },
      );
    }
    this.keys.checkMode(mode);
    return op.repos.applications.update({ ...app, settings: { ...app.settings, apiKeyMode: mode }, updatedAt: op.now });
  }

  /** Accepts a PENDING subscription; an API-key plan's subscription gets its key (in the change, shown once). */
  async accept(
    env: Environment,
    apiId: string,
    subscriptionId: string,
    input: { reason?: string; startingAt?: string; endingAt?: string; customApiKey?: string },
    actor: Actor,
  ): Promise<SubscriptionChange> {
    return this.run(env, actor, async (op) => {
      const sub = await this.find(op.repos, env, apiId, subscriptionId);
      if (sub.status !== 'PENDING') wrongStatus(sub, 'accepted', 'PENDING');
      const startingAt = parseDate(input.startingAt, '/startingAt') ?? op.now;
      const endingAt = parseDate(input.endingAt, '/endingAt');
      if (endingAt !== undefined && endingAt <= startingAt) {
        throw invalidField('/endingAt', 'must be after startingAt', 'subscription.endingAt.invalid');
      }
      const plan = await op.repos.plans.findById(sub.planId);
      const isApiKey = plan?.securityType === 'API_KEY';
      if (input.customApiKey !== undefined && !isApiKey) {
        throw invalidField('/customApiKey', 'is only accepted by API_KEY plans', 'apiKey.custom.notApiKeyPlan');
      }
      this.keys.checkCustomKey(input.customApiKey);
      const accepted = await op.repos.subscriptions.update({
        ...sub,
        status: 'ACCEPTED',
        publisherMessage: input.reason ?? null,
        processedAt: op.now,
        processedBy: op.actor,
        startingAt,
        endingAt: endingAt ?? null,
        updatedAt: op.now,
      });
      await op.events.subscription(accepted, 'ACCEPTED');
      if (!isApiKey) return { subscription: accepted };
      const app = await op.repos.applications.findById(sub.applicationId);
      if (!app) throw applicationNotFound(sub.applicationId);
      const issued = await this.keys.issue(op, accepted, app, input.customApiKey);
      return { subscription: accepted, issued, application: app };
    });
  }

  /** Rejects a PENDING subscription with an optional reason. */
  async reject(env: Environment, apiId: string, subscriptionId: string, reason: string | undefined, actor: Actor) {
    return this.transition(env, apiId, subscriptionId, actor, async (op, sub) => {
      if (sub.status !== 'PENDING') wrongStatus(sub, 'rejected', 'PENDING');
      return this.save(op, sub, 'REJECTED', {
        status: 'REJECTED',
        publisherMessage: reason ?? null,
        processedAt: op.now,
        processedBy: op.actor,
      });
    });
  }

  /** Pauses an ACCEPTED subscription, and the keys that grant only it. */
  async pause(env: Environment, apiId: string, subscriptionId: string, actor: Actor) {
    return this.transition(env, apiId, subscriptionId, actor, async (op, sub) => {
      if (sub.status !== 'ACCEPTED') wrongStatus(sub, 'paused', 'ACCEPTED');
      const paused = await this.save(op, sub, 'PAUSED', { status: 'PAUSED', pausedAt: op.now });
      await this.keys.setPaused(op, paused, true);
      return paused;
    });
  }

  /** Resumes a PAUSED subscription and its keys. */
  async resume(env: Environment, apiId: string, subscriptionId: string, actor: Actor) {
    return this.transition(env, apiId, subscriptionId, actor, async (op, sub) => {
      if (sub.status !== 'PAUSED') wrongStatus(sub, 'resumed', 'PAUSED');
      const resumed = await this.save(op, sub, 'RESUMED', { status: 'ACCEPTED', pausedAt: null });
      await this.keys.setPaused(op, resumed, false);
      return resumed;
    });
  }

  /** Closes a live subscription and revokes its keys (except keys still shared with another live subscription). */
  async close(env: Environment, apiId: string, subscriptionId: string, actor: Actor) {
    return this.transition(env, apiId, subscriptionId, actor, async (op, sub) => {
      if (!isLive(sub)) wrongStatus(sub, 'closed', 'PENDING, ACCEPTED or PAUSED');
      return this.closeWithin(op, sub, 'CLOSED');
    });
  }

  /** Closes a live subscription inside the caller's operation (plan closing, application archiving, end date). */
  async closeWithin(op: Operation, sub: Subscription, action: SubscriptionAction = 'CLOSED'): Promise<Subscription> {
    const closed = await this.save(op, sub, action, { status: 'CLOSED', closedAt: op.now });
    await this.keys.revokeForClosed(op, closed);
    return closed;
  }

  /** Closes every live subscription of a plan (or of an application) inside the caller's operation. */
  async closeAllWithin(op: Operation, criteria: { planId?: string; applicationId?: string }): Promise<number> {
    const live = await op.repos.subscriptions.search(
      { ...criteria, statuses: [...LIVE_SUBSCRIPTION_STATUSES] },
      { perPage: 1000 },
    );
    for (const sub of live.data) await this.closeWithin(op, sub);
    if (live.totalCount > live.data.length) return live.data.length + (await this.closeAllWithin(op, criteria));
    return live.data.length;
  }

  /**
   * Updates the dates, consumer configuration and metadata of a live subscription. `endingAt` is replaced (absent:
   * no end), `startingAt`, configuration and metadata are kept when absent. The subscription's own keys follow a
   * new end date.
   */
  async update(
    env: Environment,
    apiId: string,
    subscriptionId: string,
    input: { startingAt?: string; endingAt?: string; configuration?: JsonObject; metadata?: Record<string, string> },
    actor: Actor,
  ): Promise<Subscription> {
    return this.transition(env, apiId, subscriptionId, actor, async (op, sub) => {
      if (!isLive(sub)) wrongStatus(sub, 'updated', 'PENDING, ACCEPTED or PAUSED');
      const startingAt = parseDate(input.startingAt, '/startingAt') ?? sub.startingAt ?? null;
      const endingAt = parseDate(input.endingAt, '/endingAt') ?? null;
      if (endingAt !== null && (endingAt <= op.now || (startingAt !== null && endingAt <= startingAt))) {
        throw invalidField('/endingAt', 'must be in the future and after startingAt', 'subscription.endingAt.invalid');
      }
      const updated = await this.save(op, sub, 'UPDATED', {
        startingAt,
        endingAt,
        configuration: input.configuration ?? sub.configuration ?? null,
        metadata: input.metadata ?? sub.metadata ?? null,
      });
      if (endingAt !== (sub.endingAt ?? null)) await this.keys.followEndingAt(op, updated);
      return updated;
    });
  }

  /**
   * Moves a live subscription to another PUBLISHED plan of the same API with the same security type and no general
   * conditions; its keys stay as they are.
   */
  async transfer(env: Environment, apiId: string, subscriptionId: string, planId: string, actor: Actor) {
    return this.transition(env, apiId, subscriptionId, actor, async (op, sub) => {
      if (!isLive(sub)) wrongStatus(sub, 'transferred', 'PENDING, ACCEPTED or PAUSED');
      const target = await op.repos.plans.findById(planId);
      if (!target || target.apiId !== apiId) throw planNotFound(planId);
      const current = await op.repos.plans.findById(sub.planId);
      const params = { subscription: sub.id, plan: planId };
      if (target.id === sub.planId) {
        throw badRequest(
          `Subscription [${sub.id}] is already on plan [${planId}].`,
          'subscription.transfer.samePlan',
          params,
        );
      }
      if (target.status !== 'PUBLISHED') {
        throw badRequest(
          `Plan [${planId}] is ${target.status}: only a PUBLISHED plan can receive subscriptions.`,
          'plan.notPublished',
          params,
        );
      }
      if (current && current.securityType !== target.securityType) {
        throw badRequest(
          `Plan [${planId}] is ${target.securityType}, the subscription's plan is ${current.securityType}.`,
          'subscription.transfer.securityMismatch',
          params,
        );
      }
      if (typeof target.definition.generalConditions === 'string' && target.definition.generalConditions) {
        throw badRequest(
          `Plan [${planId}] has general conditions to accept: subscribe instead.`,
          'subscription.transfer.generalConditions',
          params,
        );
      }
      await this.assertNoLiveSubscription(op.repos, target.id, sub.applicationId);
      return this.save(op, sub, 'TRANSFERRED', { planId: target.id }, { previous_plan_id: sub.planId });
    });
  }

  /**
   * Closes the ACCEPTED and PAUSED subscriptions whose `endingAt` has passed (action ENDED), each in its own
   * transaction; returns how many were closed.
   */
  async closeEnded(): Promise<number> {
    const now = nowIso();
    const due = await this.store.subscriptions.search(
      { statuses: ['ACCEPTED', 'PAUSED'], endingBefore: now },
      { perPage: 1000 },
    );
    const environments = new Map<string, Environment | undefined>();
    let closed = 0;
    for (const candidate of due.data) {
      if (!environments.has(candidate.environmentId)) {
        environments.set(candidate.environmentId, await this.store.environments.findById(candidate.environmentId));
      }
      const env = environments.get(candidate.environmentId);
      if (!env) continue;
      closed += await this.run(env, 'system', async (op) => {
        const sub = await op.repos.subscriptions.findById(candidate.id);
        if (!sub || (sub.status !== 'ACCEPTED' && sub.status !== 'PAUSED') || !sub.endingAt || sub.endingAt > op.now) {
          return 0;
        }
        await this.closeWithin(op, sub, 'ENDED');
        return 1;
      });
    }
    return closed;
  }

  private transition(
    env: Environment,
    apiId: string,
    subscriptionId: string,
    actor: Actor,
    fn: (op: Operation, sub: Subscription) => Promise<Subscription>,
  ): Promise<Subscription> {
    return this.run(env, actor, async (op) => fn(op, await this.find(op.repos, env, apiId, subscriptionId)));
  }

  private async save(
    op: Operation,
    sub: Subscription,
    action: SubscriptionAction,
    changes: Partial<Subscription>,
    extra: Record<string, string> = {},
  ): Promise<Subscription> {
    const updated = await op.repos.subscriptions.update({ ...sub, ...changes, updatedAt: op.now });
    await op.events.subscription(updated, action, extra);
    return updated;
  }
}
