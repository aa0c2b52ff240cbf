import type { Environment, Organization } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { describeCrud } from './crud.js';
import { anEnvironment, anOrganization, at, byCodePoint, type ConformanceContext, ids, uid } from './records.js';

/** Organizations and environments. Lists order by name, then id (code-point order). */
export function describeOrganizationConformance(ctx: ConformanceContext): void {
  describeCrud<Organization>(ctx, {
    entity: 'organizations',
    repository: (store) => store.organizations,
    full: () => anOrganization(),
    minimal: () => ({ id: uid('org'), name: 'Minimal', createdAt: at(0), updatedAt: at(0) }),
    changed: (org) => ({ ...org, name: 'Renamed', description: null, createdAt: at(10), updatedAt: at(11) }),
    deletable: true,
  });

  describe('organizations: findAll', () => {
    it('lists every organization by name, then id', async () => {
      const tag = uid('t');
      const [first, second] = [uid('org'), uid('org')].sort();
      const orgs = [
        anOrganization({ name: `${tag}-b` }),
        anOrganization({ id: second!, name: `${tag}-a` }),
        anOrganization({ name: `${tag}-c` }),
        anOrganization({ id: first!, name: `${tag}-a` }),
      ];
      for (const org of orgs) await ctx.store.organizations.create(org);
      const mine = (await ctx.store.organizations.findAll()).filter((o) => o.name.startsWith(tag));
      expect(ids(mine)).toEqual([first, second, orgs[0]!.id, orgs[2]!.id]);
    });
  });

  describeCrud<Environment>(ctx, {
    entity: 'environments',
    repository: (store) => store.environments,
    full: () => anEnvironment(),
    minimal: () => ({
      id: uid('env'),
      organizationId: uid('org'),
      name: 'Minimal',
      hrids: [],
      createdAt: at(0),
      updatedAt: at(0),
    }),
    changed: (env) => ({
      ...env,
      organizationId: uid('org'),
      name: 'Renamed',
      description: null,
      hrids: ['other'],
      createdAt: at(10),
      updatedAt: at(11),
    }),
    deletable: true,
  });

  describe('environments: lists', () => {
    it('finds the environments of an organization by name, then id', async () => {
      const organizationId = uid('org');
      const envs = [
        anEnvironment({ organizationId, name: 'prod' }),
        anEnvironment({ organizationId, name: 'dev' }),
        anEnvironment({ name: 'dev' }),
      ];
      for (const env of envs) await ctx.store.environments.create(env);
      expect(ids(await ctx.store.environments.findByOrganization(organizationId))).toEqual([envs[1]!.id, envs[0]!.id]);
      expect(await ctx.store.environments.findByOrganization(uid('org'))).toEqual([]);
    });

    it('includes every environment in findAll', async () => {
      const env = anEnvironment();
      await ctx.store.environments.create(env);
      const all = await ctx.store.environments.findAll();
      expect(ids(all)).toContain(env.id);
      const names = all.map((e) => e.name);
      expect(names).toEqual([...names].sort(byCodePoint));
    });
  });
}
