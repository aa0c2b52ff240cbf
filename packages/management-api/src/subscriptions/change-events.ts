import {
  type ApiKey,
  type Environment,
  type EventType,
  newId,
  type Plan,
  type Repositories,
  type Subscription,
} from '@apim/core';

/** What happened to a subscription (`properties.action` of its SUBSCRIPTION_CHANGED event). */
export type SubscriptionAction =
  | 'CREATED'
  | 'ACCEPTED'
  | 'REJECTED'
  | 'PAUSED'
  | 'RESUMED'
  | 'UPDATED'
  | 'TRANSFERRED'
  | 'CLOSED'
  | 'ENDED';

/** What happened to an API key (`properties.action` of its API_KEY_CHANGED events). */
export type ApiKeyAction =
  | 'CREATED'
  | 'SUBSCRIPTION_ADDED'
  | 'RENEWED'
  | 'REVOKED'
  | 'REACTIVATED'
  | 'EXPIRE_AT_CHANGED'
  | 'PAUSED'
  | 'RESUMED';

/**
 * One unit of work on subscriptions and keys: the repositories of the running transaction, the environment, who
 * acts (a user id, or `system` for scheduled work), one instant for every date it writes, and the events it records.
 */
export interface Operation {
  repos: Repositories;
  env: Environment;
  actor: string;
  now: string;
  events: ChangeEvents;
}

/** Starts an {@link Operation} inside a transaction. */
export function operation(repos: Repositories, env: Environment, actor: string, now: string): Operation {
  return { repos, env, actor, now, events: new ChangeEvents(repos, env, actor, now) };
}

/**
 * Writes the events gateways sync subscriptions and keys by, in the caller's transaction. Properties name what
 * changed (`api_id`, `subscription_id`, `application_id`, `plan_id`, `api_key_id`, `action`, `user`); they never
 * carry a key or its hash: a gateway re-reads the records (the store is the truth, events are triggers).
 */
export class ChangeEvents {
  constructor(
    private readonly repos: Repositories,
    private readonly env: Environment,
    private readonly actor: string,
    private readonly now: string,
  ) {}

  private async write(type: EventType, properties: Record<string, string>, payload: Record<string, unknown>) {
    await this.repos.events.create({
      id: newId(),
      environmentId: this.env.id,
      organizationId: this.env.organizationId,
      type,
      payload,
      properties: { ...properties, user: this.actor },
      createdAt: this.now,
    });
  }

  /** SUBSCRIPTION_CHANGED for one subscription (`payload.status` is its new status). */
  async subscription(sub: Subscription, action: SubscriptionAction, extra: Record<string, string> = {}): Promise<void> {
    await this.write(
      'SUBSCRIPTION_CHANGED',
      {
        api_id: sub.apiId,
        subscription_id: sub.id,
        application_id: sub.applicationId,
        plan_id: sub.planId,
        action,
        ...extra,
      },
      { status: sub.status },
    );
  }

  /** API_KEY_CHANGED for a key, once per subscription it grants (each with that subscription's API). */
  async apiKey(key: ApiKey, action: ApiKeyAction): Promise<void> {
    const subscriptionIds = [...new Set(key.subscriptionIds)];
    const subs = subscriptionIds.length
      ? (await this.repos.subscriptions.search({ ids: subscriptionIds }, { perPage: 1000 })).data
      : [];
    for (const sub of subs) {
      await this.write(
        'API_KEY_CHANGED',
        {
          api_id: sub.apiId,
          subscription_id: sub.id,
          application_id: key.applicationId,
          api_key_id: key.id,
          action,
        },
        { revoked: key.revoked, paused: key.paused, expireAt: key.expireAt ?? null },
      );
    }
  }

  /** PLAN_CHANGED (deprecated, closed): the plan definition itself reaches gateways with the next deployment. */
  async plan(plan: Plan, action: 'DEPRECATED' | 'CLOSED'): Promise<void> {
    await this.write('PLAN_CHANGED', { api_id: plan.apiId, plan_id: plan.id, action }, { status: plan.status });
  }
}
