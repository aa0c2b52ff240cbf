/**
 * Which environments a gateway serves: the configured environment ids, the environments of the configured
 * organizations, or both (the intersection), as Gravitee's `organizations` and `environments` gateway settings.
 *
 * Api rows carry their environment only; the organization of each environment is read from the store with one query,
 * cached, and refreshed at every full sync and whenever an API of an environment not seen yet shows up (a new
 * environment of a served organization is then picked up without a restart).
 */
import type { ConfigStore } from '@apim/core';

/** The environments a gateway serves, with the environment -> organization map it needs for the organization filter. */
export class EnvironmentScope {
  readonly #environments: ReadonlySet<string> | undefined;
  readonly #organizations: ReadonlySet<string> | undefined;
  /** environment id -> organization id, as last read from the store. */
  #organizationOf = new Map<string, string>();

  /** Empty or undefined lists mean "no filter". */
  constructor(environmentIds?: readonly string[], organizationIds?: readonly string[]) {
    this.#environments = environmentIds?.length ? new Set(environmentIds) : undefined;
    this.#organizations = organizationIds?.length ? new Set(organizationIds) : undefined;
  }

  /** Whether the organization filter is on (then {@link refresh} must have run before {@link allows}). */
  get byOrganization(): boolean {
    return this.#organizations !== undefined;
  }

  /** Re-reads the environment -> organization map (one query). */
  async refresh(store: Pick<ConfigStore, 'environments'>): Promise<void> {
    const environments = await store.environments.findAll();
    this.#organizationOf = new Map(environments.map((environment) => [environment.id, environment.organizationId]));
  }

  /** Whether the environment is in the last map read (an unknown one calls for a {@link refresh}). */
  knows(environmentId: string): boolean {
    return this.#organizationOf.has(environmentId);
  }

  /** The organization of an environment, when known. */
  organizationOf(environmentId: string): string | undefined {
    return this.#organizationOf.get(environmentId);
  }

  /**
   * Whether APIs of this environment are served. `organizationId` overrides the map (entries of the local copy carry
   * theirs, since the store may be unreachable).
   */
  allows(environmentId: string, organizationId = this.#organizationOf.get(environmentId)): boolean {
    if (this.#environments !== undefined && !this.#environments.has(environmentId)) return false;
    if (this.#organizations === undefined) return true;
    return organizationId !== undefined && this.#organizations.has(organizationId);
  }

  /** The environment ids to pass to `apis.search` (undefined: all). */
  apiSearchEnvironments(): string[] | undefined {
    if (this.#organizations === undefined) return this.#environments && [...this.#environments];
    return [...this.#organizationOf.keys()].filter((id) => this.allows(id));
  }

  /**
   * The environment ids to pass to `events.search` (undefined: all). With the organization filter, only the explicit
   * environment list narrows the query, so that events of a new environment of a served organization are seen.
   */
  eventEnvironments(): string[] | undefined {
    return this.#environments && [...this.#environments];
  }
}
