import {
  type Application,
  type ApplicationStatus,
  type ConfigStore,
  ConflictError,
  type Environment,
  type JsonObject,
  newId,
  nowIso,
  type Page,
  type Repositories,
  type Subscription,
  type SubscriptionStatus,
} from '@apim/core';
import { type ApiKeyMode, apiKeyModeOf } from '../api-keys/api-key-service.js';
import { applicationNotFound, badRequest, invalidField } from '../http/errors.js';
import type { Principal } from '../security/basic-authenticator.js';
import type { SubscriptionService } from '../subscriptions/subscription-service.js';
import type { NewApplicationBody, UpdateApplicationBody } from './application-schemas.js';

function duplicateClientId(clientId: string) {
  return badRequest(
    `An active application of the environment already uses the client id [${clientId}].`,
    'application.clientId.duplicated',
    { clientId },
  );
}

/** Reads the fields common to create and update; only SIMPLE applications (`settings.app`) are supported. */
function readBody(body: NewApplicationBody | UpdateApplicationBody) {
  if (body.settings?.oauth !== undefined) {
    throw invalidField(
      '/settings/oauth',
      'OAuth client applications are not supported: use settings.app',
      'application.type.unsupported',
    );
  }
  const app = body.settings?.app;
  return {
    clientId: app?.client_id?.trim() || null,
    settings: {
      app: app?.type !== undefined ? { type: app.type } : {},
      ...(body.domain !== undefined ? { domain: body.domain } : {}),
      ...(body.groups !== undefined ? { groups: body.groups } : {}),
    } as JsonObject,
  };
}

/**
 * Applications (Gravitee v1 `/applications`): SIMPLE applications with an optional client id (unique among the
 * ACTIVE applications of the environment), owned by their creator. Deleting archives: status ARCHIVED, and every
 * live subscription closed (keys revoked) in the same transaction.
 */
export class ApplicationService {
  constructor(
    private readonly store: ConfigStore,
    private readonly subscriptions: SubscriptionService,
  ) {}

  /** The application, or a 404 (also for another environment's). */
  async get(env: Environment, appId: string, repos: Repositories = this.store): Promise<Application> {
    const app = await repos.applications.findById(appId);
    if (!app || app.environmentId !== env.id) throw applicationNotFound(appId);
    return app;
  }

  /** One page of the environment's applications with `status` (default ACTIVE), by name. */
  async list(
    env: Environment,
    filter: { query?: string; status?: ApplicationStatus },
    page: number,
    perPage: number,
  ): Promise<Page<Application>> {
    const query = filter.query?.trim();
    return this.store.applications.search(
      { environmentId: env.id, status: filter.status ?? 'ACTIVE', ...(query ? { query } : {}) },
      { page, perPage },
    );
  }

  private async checkClientId(repos: Repositories, env: Environment, clientId: string | null, selfId?: string) {
    if (!clientId) return;
    const taken = await repos.applications.search({ environmentId: env.id, clientId, status: 'ACTIVE' });
    if (taken.data.some((a) => a.id !== selfId)) throw duplicateClientId(clientId);
  }

  private checkMode(current: ApiKeyMode, wanted: ApiKeyMode | undefined): ApiKeyMode {
    if (wanted === undefined || wanted === current) return current;
    if (current !== 'UNSPECIFIED') {
      throw badRequest(`The API key mode is ${current} and cannot change.`, 'application.apiKeyMode.locked', {
        apiKeyMode: current,
      });
    }
    this.subscriptions.keys.checkMode(wanted);
    return wanted;
  }

  /** Creates an ACTIVE SIMPLE application owned by the caller. */
  async create(env: Environment, body: NewApplicationBody, principal: Principal): Promise<Application> {
    if (body.type !== undefined && body.type.toUpperCase() !== 'SIMPLE') {
      throw invalidField('/type', 'only SIMPLE applications are supported', 'application.type.unsupported');
    }
    const { clientId, settings } = readBody(body);
    const apiKeyMode = this.checkMode('UNSPECIFIED', body.api_key_mode);
    const now = nowIso();
    return this.withClientIdConflict(clientId, () =>
      this.store.transaction(async (repos) => {
        await this.checkClientId(repos, env, clientId);
        return repos.applications.create({
          id: newId(),
          environmentId: env.id,
          name: body.name,
          description: body.description ?? null,
          type: 'SIMPLE',
          clientId,
          status: 'ACTIVE',
          primaryOwnerId: principal.userId,
          picture: body.picture ?? null,
          settings: { ...settings, apiKeyMode },
          createdAt: now,
          updatedAt: now,
        });
      }),
    );
  }

  /**
   * Replaces the editable fields (name, description, domain, groups, picture, settings.app); absent description,
   * domain and picture are cleared, absent settings kept. An archived application cannot change.
   */
  async update(env: Environment, appId: string, body: UpdateApplicationBody): Promise<Application> {
    const read = body.settings === undefined ? undefined : readBody(body);
    return this.withClientIdConflict(read?.clientId ?? null, () =>
      this.store.transaction(async (repos) => {
        const app = await this.get(env, appId, repos);
        if (app.status !== 'ACTIVE') {
          throw badRequest(`Application [${appId}] is archived.`, 'application.archived', { application: appId });
        }
        const apiKeyMode = this.checkMode(apiKeyModeOf(app), body.api_key_mode);
        const clientId = read ? read.clientId : (app.clientId ?? null);
        await this.checkClientId(repos, env, clientId, app.id);
        const { domain: _d, groups: _g, ...kept } = app.settings;
        return repos.applications.update({
          ...app,
          name: body.name,
          description: body.description ?? null,
          picture: body.picture ?? null,
          clientId,
          settings: {
            ...kept,
            ...(read ? { app: read.settings.app } : {}),
            ...(body.domain !== undefined ? { domain: body.domain } : {}),
            groups: body.groups ?? (Array.isArray(app.settings.groups) ? app.settings.groups : []),
            apiKeyMode,
          },
          updatedAt: nowIso(),
        });
      }),
    );
  }

  /** Archives an application and closes its live subscriptions (revoking their keys), in one transaction. */
  async archive(env: Environment, appId: string, actor: string): Promise<void> {
    await this.subscriptions.run(env, actor, async (op) => {
      const app = await this.get(env, appId, op.repos);
      if (app.status === 'ARCHIVED') return;
      await this.subscriptions.closeAllWithin(op, { applicationId: app.id });
      await op.repos.applications.update({ ...app, status: 'ARCHIVED', updatedAt: op.now });
    });
  }

  /** One page of the application's subscriptions, optionally by status and API. */
  async subscriptionsOf(
    env: Environment,
    appId: string,
    filter: { statuses?: SubscriptionStatus[]; apiId?: string },
    page: number,
    perPage: number,
  ): Promise<Page<Subscription>> {
    await this.get(env, appId);
    return this.store.subscriptions.search(
      {
        environmentId: env.id,
        applicationId: appId,
        ...(filter.statuses?.length ? { statuses: filter.statuses } : {}),
        ...(filter.apiId ? { apiId: filter.apiId } : {}),
      },
      { page, perPage },
    );
  }

  /** A concurrent create or update that took the client id first surfaces as the same 400. */
  private async withClientIdConflict<T>(clientId: string | null, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ConflictError && clientId) throw duplicateClientId(clientId);
      throw error;
    }
  }
}
