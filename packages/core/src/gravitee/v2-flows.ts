import type { Flow, Selector, Step } from '../definition/index.js';
import {
  asArray,
  bool,
  compact,
  isRecord,
  type JsonRecord,
  parseJsonString,
  pick,
  records,
  str,
} from './json-utils.js';

/** Converts a v2 step (`{ name, description, enabled, policy, configuration, condition }`). */
function step(v2: JsonRecord): Step {
  const configuration = parseJsonString(v2.configuration);
  return compact({
    name: str(v2.name),
    description: str(v2.description),
    enabled: bool(v2.enabled) ?? true,
    policy: str(v2.policy) ?? '',
    configuration,
    condition: str(v2.condition) || undefined,
  }) as Step;
}

/**
 * Converts a v2 flow: `path-operator` and `methods` become an HTTP selector, a non-empty `condition` a CONDITION
 * selector; `pre` steps run on the request, `post` steps on the response.
 */
export function flow(v2: JsonRecord): Flow {
  const operator = pick(v2, 'path-operator', 'pathOperator');
  const po = isRecord(operator) ? operator : {};
  const selectors: Selector[] = [
    {
      type: 'HTTP',
      path: str(po.path) ?? '/',
      pathOperator: str(po.operator) === 'EQUALS' ? 'EQUALS' : 'STARTS_WITH',
      methods: asArray(v2.methods).map((m) => String(m).toUpperCase()) as Extract<
        Selector,
        { type: 'HTTP' }
      >['methods'],
    },
  ];
  const condition = str(v2.condition);
  if (condition !== undefined && condition.trim() !== '') selectors.push({ type: 'CONDITION', condition });
  return compact({
    id: str(v2.id),
    name: str(v2.name),
    enabled: bool(v2.enabled) ?? true,
    selectors,
    request: records(v2.pre).map(step),
    response: records(v2.post).map(step),
    subscribe: [],
    publish: [],
    tags: [],
  }) as Flow;
}

/**
 * Converts Gravitee 1.x `paths` (`{ "/path": [{ methods, "<policy-id>": config, enabled, description }] }`) to flows,
 * one per path with STARTS_WITH matching. 1.x did not say in which phase a policy runs: the steps go on the request.
 */
export function pathsToFlows(paths: unknown): Flow[] {
  if (!isRecord(paths)) return [];
  return Object.entries(paths).flatMap(([path, rules]) =>
    records(rules).flatMap((rule) => {
      const policyId = Object.keys(rule).find((k) => !['methods', 'enabled', 'description'].includes(k));
      if (policyId === undefined) return [];
      const configuration = parseJsonString(rule[policyId]);
      return [
        flow({
          name: path,
          'path-operator': { path, operator: 'STARTS_WITH' },
          methods: rule.methods,
          enabled: rule.enabled,
          pre: [
            compact({
              name: policyId,
              description: rule.description,
              enabled: rule.enabled,
              policy: policyId,
              configuration: isRecord(configuration) ? configuration : {},
            }),
          ],
        }),
      ];
    }),
  );
}

/** Converts a v2 plan (`security` + `securityDefinition` string, snake_case fields) to a v4 plan (id kept if any). */
export function plan(v2: JsonRecord): JsonRecord {
  const securityType = str(v2.security) ?? 'KEY_LESS';
  const definition = parseJsonString(pick(v2, 'securityDefinition', 'security_definition'));
  const flows = [...records(v2.flows).map(flow), ...pathsToFlows(v2.paths)];
  const excluded = pick(v2, 'excluded_groups', 'excludedGroups');
  return compact({
    id: str(v2.id),
    crossId: str(pick(v2, 'crossId', 'cross_id')),
    name: str(v2.name) ?? securityType,
    description: str(v2.description),
    apiId: str(v2.api),
    definitionVersion: 'V4',
    security: compact({ type: securityType, configuration: isRecord(definition) ? definition : {} }),
    selectionRule: str(pick(v2, 'selection_rule', 'selectionRule')),
    mode: 'STANDARD',
    status: str(v2.status) ?? 'PUBLISHED',
    validation: str(v2.validation) ?? 'AUTO',
    commentRequired: bool(pick(v2, 'comment_required', 'commentRequired')),
    commentMessage: str(pick(v2, 'comment_message', 'commentMessage')),
    characteristics: Array.isArray(v2.characteristics) ? v2.characteristics.map(String) : undefined,
    excludedGroups: Array.isArray(excluded) ? excluded.map(String) : undefined,
    generalConditions: str(pick(v2, 'general_conditions', 'generalConditions')),
    order: typeof v2.order === 'number' ? v2.order : undefined,
    tags: asArray(v2.tags).map(String),
    type: str(v2.type),
    flows,
    createdAt: str(pick(v2, 'created_at', 'createdAt')),
    updatedAt: str(pick(v2, 'updated_at', 'updatedAt')),
    publishedAt: str(pick(v2, 'published_at', 'publishedAt')),
    closedAt: str(pick(v2, 'closed_at', 'closedAt')),
  });
}
