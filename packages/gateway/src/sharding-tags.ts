/**
 * Sharding tags, with Gravitee's syntax and rule: a gateway configured with `a,b,!c` serves the APIs tagged `a` or `b`
 * that are not tagged `c`.
 *
 * The rule, for a gateway with inclusion tags I and exclusion tags E (Gravitee's `EnvironmentUtils.hasMatchingTags`):
 * - no tags configured: the gateway serves every API, tagged or not;
 * - otherwise an API is served when (I is empty or the API has a tag in I) and the API has no tag in E. So a tagless
 *   API is served only by gateways without inclusion tags (`!c` alone serves it, `a` does not).
 *
 * Plans follow Gravitee's deployment pre-processor: a plan without tags is always kept; a tagged plan is kept only
 * when its tags pass the same rule.
 */
import { ApimError, type JsonObject } from '@apim/core';

/** A parsed sharding-tag expression. */
export interface ShardingTags {
  /** The expression as configured, normalised (`a,b,!c`); empty when no tags are configured. */
  readonly expression: string;
  readonly include: ReadonlySet<string>;
  readonly exclude: ReadonlySet<string>;
  /** Whether the gateway has any tag (a tagless gateway serves everything). */
  readonly configured: boolean;
  /** Whether an API with these tags is served by this gateway. */
  matches(tags: readonly string[]): boolean;
}

/** Anything but blanks, commas and a leading `!`. */
const TAG = /^[^\s,!][^\s,]*$/;

/**
 * Parses a Gravitee sharding-tag expression: comma-separated tags, `!tag` excludes. Blank or undefined means no tags.
 * Throws ApimError CONFIG_INVALID on an empty entry, a bare `!`, a blank inside a tag, or a tag both included and
 * excluded.
 *
 * @example
 * const tags = parseShardingTags('internal,!beta');
 * tags.matches(['internal']); // true
 * tags.matches(['internal', 'beta']); // false
 * tags.matches([]); // false: the gateway has an inclusion tag
 */
export function parseShardingTags(expression: string | undefined): ShardingTags {
  const include = new Set<string>();
  const exclude = new Set<string>();
  const source = expression?.trim() ?? '';
  if (source.length > 0) {
    for (const [index, raw] of source.split(',').entries()) {
      const entry = raw.trim();
      const excluded = entry.startsWith('!');
      const tag = excluded ? entry.slice(1) : entry;
      if (!TAG.test(tag)) {
        const reason = entry.length === 0 ? 'is empty' : `[${entry}] is not a tag`;
        throw invalid(expression!, `entry ${index + 1} ${reason}`);
      }
      (excluded ? exclude : include).add(tag);
    }
    const both = [...include].filter((tag) => exclude.has(tag));
    if (both.length > 0) throw invalid(expression!, `[${both.join(', ')}] cannot be both included and excluded`);
  }
  const configured = include.size > 0 || exclude.size > 0;
  return {
    expression: [...include, ...[...exclude].map((tag) => `!${tag}`)].join(','),
    include,
    exclude,
    configured,
    matches(tags) {
      if (!configured) return true;
      if (include.size > 0 && !tags.some((tag) => include.has(tag))) return false;
      return !tags.some((tag) => exclude.has(tag));
    },
  };
}

function invalid(expression: string, reason: string): ApimError {
  return new ApimError('CONFIG_INVALID', {
    message: `Invalid sharding tags "${expression}": ${reason} (expected a comma-separated list such as "a,b,!c")`,
  });
}

/** The `tags` of a definition fragment (an API or a plan), as strings; [] when absent or malformed. */
export function tagsOf(definition: unknown): string[] {
  const tags = (definition as { tags?: unknown } | null | undefined)?.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** The API's sharding tags in a deployment snapshot `{ api, plans }`. */
export function apiTagsOf(snapshot: JsonObject): string[] {
  return tagsOf(snapshot.api);
}

/**
 * Removes from a deployment snapshot the plans this gateway must not serve (tagged plans not matching its tags). Plans
 * are read from `plans`, or from `api.plans` for snapshots that embed them. Returns the snapshot itself when nothing is
 * removed.
 *
 * @example const served = filterPlansByTags(deployment.definition, parseShardingTags('internal'));
 */
export function filterPlansByTags(snapshot: JsonObject, tags: ShardingTags): JsonObject {
  if (!tags.configured) return snapshot;
  const keep = (plan: unknown) => tagsOf(plan).length === 0 || tags.matches(tagsOf(plan));
  if (Array.isArray(snapshot.plans)) {
    const plans = snapshot.plans.filter(keep);
    return plans.length === snapshot.plans.length ? snapshot : { ...snapshot, plans };
  }
  const api = snapshot.api as JsonObject | undefined;
  if (api !== undefined && Array.isArray(api.plans)) {
    const plans = api.plans.filter(keep);
    return plans.length === api.plans.length ? snapshot : { ...snapshot, api: { ...api, plans } };
  }
  return snapshot;
}
