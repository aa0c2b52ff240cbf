import { join } from 'node:path';
import type { ConfigStore } from '@apim/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiRegistry, GatewaySync, startGateway } from '../src/index.js';
import { addEnvironment, faultyStore, memoryStore, publish } from './store-helpers.js';
import { cleanups, runCleanups, startSync, taggedSnapshot, tempDir, until } from './sync-helpers.js';

afterEach(runCleanups);

async function store(environmentIds?: string[]): Promise<ConfigStore> {
  const s = await memoryStore(environmentIds);
  cleanups.push(() => s.close());
  return s;
}

const planIds = (sync: { registry: ApiRegistry }, apiId: string) =>
  sync.registry.get(apiId)?.plans.map((plan) => plan.id);

/** internal (plans: untagged, external-only), untagged, beta (internal+beta), external. */
async function taggedApis(): Promise<ConfigStore> {
  const s = await store();
  await publish(s, 'internal', taggedSnapshot('internal', ['internal'], [[], ['external']]));
  await publish(s, 'untagged', taggedSnapshot('untagged', []));
  await publish(s, 'beta', taggedSnapshot('beta', ['internal', 'beta']));
  await publish(s, 'external', taggedSnapshot('external', ['external'], [['external'], ['internal']]));
  return s;
}

describe('sharding tags', () => {
  it.each([
    [undefined, ['beta', 'external', 'internal', 'untagged']],
    ['internal', ['beta', 'internal']],
    ['internal,!beta', ['internal']],
    ['!beta', ['external', 'internal', 'untagged']],
    ['external,internal', ['beta', 'external', 'internal']],
    ['nowhere', []],
  ])('a gateway tagged %j serves %j', async (shardingTags, served) => {
    const { registry, sync } = await startSync({ store: await taggedApis(), shardingTags });
    expect(registry.ids().sort()).toEqual(served);
    expect(sync.counts.filtered).toBe(4 - served.length);
  });

  it('serves only the plans whose tags match, and every untagged plan', async () => {
    const s = await taggedApis();
    const internal = await startSync({ store: s, shardingTags: 'internal' });
    expect(planIds(internal, 'internal')).toEqual(['plan-0']);
    const external = await startSync({ store: s, shardingTags: 'external' });
    expect(planIds(external, 'internal')).toBeUndefined();
    expect(planIds(external, 'external')).toEqual(['plan-0']);
    const untagged = await startSync({ store: s });
    expect(planIds(untagged, 'internal')).toEqual(['plan-0', 'plan-1']);
    expect(planIds(untagged, 'external')).toEqual(['plan-0', 'plan-1']);
  });

  it('undeploys an API whose new deployment no longer matches, and deploys one that now does', async () => {
    const s = await taggedApis();
    const { registry } = await startSync({ store: s, shardingTags: 'internal' });
    await publish(s, 'internal', taggedSnapshot('internal', ['external']));
    await publish(s, 'external', taggedSnapshot('external', ['internal']));
    await until(() => registry.get('internal') === undefined && registry.get('external') !== undefined);
  });

  it('rejects a malformed expression before starting anything', async () => {
    const s = await store();
    expect(() => new GatewaySync({ store: s, registry: new ApiRegistry(), shardingTags: 'a,!a' })).toThrow(
      /Invalid sharding tags "a,!a": \[a\] cannot be both included and excluded/,
    );
    await expect(startGateway({ store: s, port: 0, shardingTags: 'a,,b' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});

describe('organizations and environments', () => {
  async function organizations(): Promise<ConfigStore> {
    const s = await store(['DEFAULT', 'OTHER']);
    await addEnvironment(s, 'ACME-PROD', 'ACME');
    await publish(s, 'default-api', taggedSnapshot('default-api'));
    await publish(s, 'other-api', taggedSnapshot('other-api'), { environmentId: 'OTHER' });
    await publish(s, 'acme-api', taggedSnapshot('acme-api'), { environmentId: 'ACME-PROD' });
    return s;
  }

  it.each([
    [{}, ['acme-api', 'default-api', 'other-api']],
    [{ organizationIds: ['ACME'] }, ['acme-api']],
    [{ organizationIds: ['DEFAULT'] }, ['default-api', 'other-api']],
    [{ organizationIds: ['DEFAULT', 'ACME'] }, ['acme-api', 'default-api', 'other-api']],
    [{ organizationIds: ['DEFAULT'], environmentIds: ['OTHER'] }, ['other-api']],
    [{ organizationIds: ['ACME'], environmentIds: ['OTHER'] }, []],
    [{ organizationIds: ['NOPE'] }, []],
    [{ environmentIds: ['OTHER', 'ACME-PROD'] }, ['acme-api', 'other-api']],
  ])('%j serves %j', async (filters, served) => {
    const { registry } = await startSync({ store: await organizations(), ...filters });
    expect(registry.ids().sort()).toEqual(served);
  });

  it('picks up an environment created after start in a served organization', async () => {
    const s = await organizations();
    const { registry } = await startSync({ store: s, organizationIds: ['ACME'] });
    await addEnvironment(s, 'ACME-DEV', 'ACME');
    await addEnvironment(s, 'ELSEWHERE', 'OTHER-ORG');
    await publish(s, 'acme-dev-api', taggedSnapshot('acme-dev-api'), { environmentId: 'ACME-DEV' });
    await publish(s, 'elsewhere-api', taggedSnapshot('elsewhere-api'), { environmentId: 'ELSEWHERE' });
    await publish(s, 'default-2', taggedSnapshot('default-2'));
    await until(() => registry.get('acme-dev-api') !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(registry.ids().sort()).toEqual(['acme-api', 'acme-dev-api']);
  });
});

describe('the local copy under filters', () => {
  it('is filtered again at load with the gateway’s current tags and organizations', async () => {
    const s = await organizations2();
    const path = join(await tempDir(), 'gateway-state.json');
    const writer = await startSync({ store: s, localStatePath: path });
    await writer.sync.stop();
    const { store: down, control } = faultyStore(s);
    control.failing = true;
    const byTags = await startSync({ store: down, localStatePath: path, shardingTags: 'internal' });
    expect(byTags.sync.servingFromLocalCopy).toBe(true);
    expect(byTags.registry.ids().sort()).toEqual(['acme-internal', 'internal']);
    expect(planIds(byTags, 'internal')).toEqual(['plan-0']);
    const byOrganization = await startSync({ store: down, localStatePath: path, organizationIds: ['ACME'] });
    expect(byOrganization.registry.ids().sort()).toEqual(['acme-internal']);
  });

  async function organizations2(): Promise<ConfigStore> {
    const s = await store();
    await addEnvironment(s, 'ACME-PROD', 'ACME');
    await publish(s, 'internal', taggedSnapshot('internal', ['internal'], [[], ['external']]));
    await publish(s, 'external', taggedSnapshot('external', ['external']));
    await publish(s, 'acme-internal', taggedSnapshot('acme-internal', ['internal']), { environmentId: 'ACME-PROD' });
    return s;
  }
});
