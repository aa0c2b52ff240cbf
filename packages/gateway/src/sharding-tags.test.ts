import { ApimError } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { filterPlansByTags, parseShardingTags } from './sharding-tags.js';

describe('parseShardingTags', () => {
  it.each([
    [undefined, [], [], ''],
    ['', [], [], ''],
    ['   ', [], [], ''],
    ['internal', ['internal'], [], 'internal'],
    ['a,b,!c', ['a', 'b'], ['c'], 'a,b,!c'],
    [' a , !c ,b ', ['a', 'b'], ['c'], 'a,b,!c'],
    ['!c,!d', [], ['c', 'd'], '!c,!d'],
    ['a,a,!c,!c', ['a'], ['c'], 'a,!c'],
    ['north-america,eu_west.1', ['north-america', 'eu_west.1'], [], 'north-america,eu_west.1'],
  ])('parses %j', (expression, include, exclude, normalised) => {
    const tags = parseShardingTags(expression);
    expect([...tags.include]).toEqual(include);
    expect([...tags.exclude]).toEqual(exclude);
    expect(tags.expression).toBe(normalised);
    expect(tags.configured).toBe(include.length + exclude.length > 0);
  });

  it.each([
    ['a,,b', /entry 2 is empty/],
    ['a,', /entry 2 is empty/],
    [',a', /entry 1 is empty/],
    ['!', /\[!\] is not a tag/],
    ['a,! b', /\[! b\] is not a tag/],
    ['!!a', /\[!!a\] is not a tag/],
    ['a b', /\[a b\] is not a tag/],
    ['a,!a', /\[a\] cannot be both included and excluded/],
  ])('rejects %j', (expression, message) => {
    let error: unknown;
    try {
      parseShardingTags(expression);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ApimError);
    expect((error as ApimError).code).toBe('CONFIG_INVALID');
    expect((error as ApimError).message).toMatch(message);
    expect((error as ApimError).message).toContain(expression);
  });
});

describe('ShardingTags.matches (Gravitee rule)', () => {
  it.each([
    // A tagless gateway serves everything.
    ['', [], true],
    ['', ['x'], true],
    // Inclusion tags: at least one in common; a tagless API is not served.
    ['x', ['x'], true],
    ['x', [], false],
    ['x', ['y'], false],
    ['x,y', ['y', 'z'], true],
    // Exclusion only: every API but those carrying an excluded tag, tagless ones included.
    ['!y', ['x'], true],
    ['!y', [], true],
    ['!y', ['x', 'y'], false],
    // Both: an included tag and no excluded one.
    ['x,!y', ['x'], true],
    ['x,!y', ['x', 'y'], false],
    ['x,!y', ['z'], false],
    ['x,!y', [], false],
    // Tags compare exactly.
    ['Internal', ['internal'], false],
  ])('gateway %j, API tagged %j: %s', (expression, apiTags, served) => {
    expect(parseShardingTags(expression).matches(apiTags)).toBe(served);
  });
});

describe('filterPlansByTags', () => {
  const snapshot = {
    api: { id: 'a', tags: ['internal'] },
    plans: [
      { id: 'untagged' },
      { id: 'empty', tags: [] },
      { id: 'internal', tags: ['internal'] },
      { id: 'beta', tags: ['internal', 'beta'] },
      { id: 'external', tags: ['external'] },
    ],
  };
  const ids = (definition: { plans?: unknown; api?: unknown }) =>
    ((definition.plans ?? (definition.api as { plans: unknown }).plans) as { id: string }[]).map((plan) => plan.id);

  it('keeps untagged plans and the tagged plans matching the gateway', () => {
    expect(ids(filterPlansByTags(snapshot, parseShardingTags('internal,!beta')))).toEqual([
      'untagged',
      'empty',
      'internal',
    ]);
    expect(ids(filterPlansByTags(snapshot, parseShardingTags('external')))).toEqual(['untagged', 'empty', 'external']);
  });

  it('returns the snapshot itself when nothing is removed, and never mutates it', () => {
    expect(filterPlansByTags(snapshot, parseShardingTags(''))).toBe(snapshot);
    expect(filterPlansByTags(snapshot, parseShardingTags('internal,external'))).toBe(snapshot);
    filterPlansByTags(snapshot, parseShardingTags('external'));
    expect(snapshot.plans).toHaveLength(5);
  });

  it('filters plans embedded in the API definition', () => {
    const embedded = { api: { id: 'a', plans: snapshot.plans } };
    expect(ids(filterPlansByTags(embedded, parseShardingTags('!beta')))).toEqual([
      'untagged',
      'empty',
      'internal',
      'external',
    ]);
  });
});
