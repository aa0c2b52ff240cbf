/**
 * Deploy-time compilation of an API's flows: selectors, step conditions and policy configurations are validated
 * and compiled once; every problem is collected with its JSON pointer and reported together.
 */
import {
  type CompiledTemplate,
  compileTemplate,
  type FieldError,
  type Flow,
  type FlowExecution,
  type PolicyLogger,
  type PolicyRegistry,
  type PolicyResource,
  type Step,
  ValidationError,
  validateTemplate,
} from '@apim/core';
import { type CompiledFlow, CompiledFlows } from './compiled-flows.js';
import type { ChainPhase, CompiledStep } from './flow-chain.js';
import { compilePathPattern } from './path-pattern.js';

/** What `compileFlows` takes. */
export interface CompileFlowsInput {
  /** Organization-wide flows (always DEFAULT mode). */
  platformFlows?: readonly Flow[];
  /** Flows of each plan, by plan id. */
  planFlows?: Readonly<Record<string, readonly Flow[]>> | ReadonlyMap<string, readonly Flow[]>;
  apiFlows?: readonly Flow[];
  flowExecution?: Partial<FlowExecution>;
  registry: PolicyRegistry;
  apiId?: string;
  /** Given to the policy factories and used for selection warnings. */
  logger?: PolicyLogger;
  /** JSON pointer prefixes of the flow lists, for error paths. */
  pointers?: { platform?: string; api?: string; plan?: (planId: string) => string };
  /**
   * The gateway's sharding tags: a flow with tags runs only on gateways whose tags match them (Gravitee's rule, as
   * for APIs and plans); a flow without tags runs everywhere. Default: every flow runs.
   */
  shardingTags?: { matches(tags: readonly string[]): boolean };
  /** The API's resources, given to the policy factories (authentication providers, caches...). */
  resources?: readonly PolicyResource[];
  /** The gateway's services given to the policy factories (`PolicyFactoryContext.services`). */
  services?: Readonly<Record<string, unknown>>;
}

const BODY_REFERENCES = {
  request: /^request\.(content|jsonContent|xmlContent)$/,
  response: /^response\.(content|jsonContent|xmlContent)$/,
};

const SILENT: PolicyLogger = { debug() {}, info() {}, warn() {}, error() {} };

interface Compiler {
  input: CompileFlowsInput;
  errors: FieldError[];
}

/** Compiles an EL template, recording a syntax error at `path`; undefined on error. */
function template(c: Compiler, source: string, path: string, label: string): CompiledTemplate | undefined {
  const check = validateTemplate(source);
  if (!check.ok) {
    c.errors.push({ path, message: `${label}: invalid EL at position ${check.position}: ${check.message}` });
    return undefined;
  }
  return compileTemplate(source);
}

const readsBody = (t: CompiledTemplate | undefined, phase: ChainPhase) =>
  t?.references.some((r) => BODY_REFERENCES[phase].test(r)) === true;

type SchemaNode = { 'x-el'?: boolean; properties?: Record<string, SchemaNode>; items?: SchemaNode };

/** Whether an `x-el` string of a (validated) configuration reads the `phase` body, e.g. `{#request.content}`. */
function configReadsBody(schema: SchemaNode, value: unknown, phase: ChainPhase): boolean {
  if (schema['x-el'] === true && typeof value === 'string') return readsBody(compileTemplate(value), phase);
  if (Array.isArray(value))
    return schema.items !== undefined && value.some((v) => configReadsBody(schema.items!, v, phase));
  if (typeof value !== 'object' || value === null || schema.properties === undefined) return false;
  return Object.entries(schema.properties).some(([key, sub]) => {
    const v = (value as Record<string, unknown>)[key];
    return v !== undefined && configReadsBody(sub, v, phase);
  });
}

function compileStep(
  c: Compiler,
  step: Step,
  phase: ChainPhase,
  path: string,
  label: string,
): CompiledStep | undefined {
  const { registry, apiId, logger = SILENT } = c.input;
  const at = `${label} ${phase} step ${path.slice(path.lastIndexOf('/') + 1)} (${step.policy})`;
  const plugin = registry.get(step.policy);
  if (plugin === undefined) {
    c.errors.push({ path: `${path}/policy`, message: `${at}: unknown policy [${step.policy}]` });
    return undefined;
  }
  if (!plugin.phases.includes(phase)) {
    c.errors.push({ path: `${path}/policy`, message: `${at}: the policy does not run in the ${phase} phase` });
    return undefined;
  }
  const condition =
    step.condition === undefined || step.condition.trim() === ''
      ? undefined
      : template(c, step.condition, `${path}/condition`, `${at} condition`);
  const config = registry.validateStepConfiguration(step.policy, step.configuration);
  if (!config.ok) {
    for (const e of config.errors)
      c.errors.push({ path: `${path}/configuration${e.path}`, message: `${at}: ${e.message}` });
    return undefined;
  }
  let run: CompiledStep['run'] | undefined;
  try {
    const instance = plugin.create(config.value, {
      policyId: plugin.id,
      apiId,
      logger,
      ...(c.input.resources === undefined ? {} : { resources: c.input.resources }),
      ...(c.input.services === undefined ? {} : { services: c.input.services }),
    });
    const method = phase === 'request' ? instance.onRequest : instance.onResponse;
    // A policy may act in one phase only for a configuration (a v2 `scope`): no method, no step.
    run = method?.bind(instance);
  } catch (error) {
    c.errors.push({ path: `${path}/configuration`, message: `${at}: ${(error as Error).message}` });
    return undefined;
  }
  if (run === undefined) return undefined;
  const schema = plugin.schema as SchemaNode;
  const readsBodies = {
    request: configReadsBody(schema, config.value, 'request'),
    response: configReadsBody(schema, config.value, 'response'),
  };
  return Object.freeze({ policyId: plugin.id, location: path, condition, run, readsBodies });
}

function compileFlow(c: Compiler, flow: Flow, level: CompiledFlow['level'], path: string, label: string) {
  let http: CompiledFlow['http'];
  const conditions: CompiledTemplate[] = [];
  (flow.selectors ?? []).forEach((selector, i) => {
    if (selector.type === 'HTTP') {
      const methods = selector.methods ?? [];
      http = {
        pattern: compilePathPattern(selector.path ?? '/', selector.pathOperator ?? 'STARTS_WITH'),
        methods: methods.length === 0 ? undefined : new Set(methods),
      };
    } else if (selector.type === 'CONDITION') {
      const t = template(c, selector.condition, `${path}/selectors/${i}/condition`, `${label} condition selector`);
      if (t !== undefined) conditions.push(t);
    }
  });
  const steps = (phase: ChainPhase) => {
    const out: CompiledStep[] = [];
    (flow[phase] ?? []).forEach((step, j) => {
      if (step.enabled === false) return;
      const compiled = compileStep(c, step, phase, `${path}/${phase}/${j}`, label);
      if (compiled !== undefined) out.push(compiled);
    });
    return out;
  };
  const request = steps('request');
  const response = steps('response');
  const needs = (phase: ChainPhase, bodyOf: 'request' | 'response') =>
    (phase === 'request' ? request : response).some(
      (s) =>
        c.input.registry.get(s.policyId)?.needsBody?.[bodyOf] === true ||
        s.readsBodies?.[bodyOf] === true ||
        readsBody(s.condition, bodyOf),
    );
  return Object.freeze({
    level,
    location: path,
    name: flow.name,
    http,
    conditions,
    request,
    response,
    needsRequestBody: needs('request', 'request') || conditions.some((t) => readsBody(t, 'request')),
    needsResponseBody: needs('response', 'response'),
  } satisfies CompiledFlow);
}

function compileList(c: Compiler, flows: readonly Flow[], level: CompiledFlow['level'], prefix: string, name: string) {
  const out: CompiledFlow[] = [];
  flows.forEach((flow, i) => {
    if (flow.enabled === false) return;
    const tags = c.input.shardingTags;
    if (tags !== undefined && flow.tags !== undefined && flow.tags.length > 0 && !tags.matches(flow.tags)) return;
    const label = `${name} flow ${i}${flow.name ? ` "${flow.name}"` : ''}`;
    out.push(compileFlow(c, flow, level, `${prefix}/${i}`, label));
  });
  return out;
}

/**
 * Compiles the flows of a deployment. Throws a `ValidationError` (code DEFINITION_INVALID) listing every problem:
 * unknown policy, a policy placed in a phase it does not support, an invalid configuration, an EL syntax error in a
 * selector condition, a step condition or an `x-el` configuration field, with JSON pointers such as
 * `/flows/0/request/1/configuration/status`.
 *
 * @example
 * const flows = compileFlows({ apiFlows: api.flows, planFlows: { [plan.id]: plan.flows }, flowExecution: api.flowExecution, registry });
 * const selection = flows.select(req.method, pathInfo, () => exec.el(), plan.id);
 * await flows.runRequest(exec, selection);
 */
export function compileFlows(input: CompileFlowsInput): CompiledFlows {
  const c: Compiler = { input, errors: [] };
  const pointers = input.pointers ?? {};
  const platform = compileList(
    c,
    input.platformFlows ?? [],
    'platform',
    pointers.platform ?? '/platform/flows',
    'platform',
  );
  const plans = new Map<string, readonly CompiledFlow[]>();
  const planEntries = input.planFlows instanceof Map ? [...input.planFlows] : Object.entries(input.planFlows ?? {});
  for (const [planId, flows] of planEntries) {
    const prefix = pointers.plan?.(planId) ?? `/plans/${planId}/flows`;
    plans.set(planId, compileList(c, flows, 'plan', prefix, `plan [${planId}]`));
  }
  const api = compileList(c, input.apiFlows ?? [], 'api', pointers.api ?? '/flows', 'api');
  if (c.errors.length > 0) {
    const list = c.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new ValidationError(`The flows are invalid: ${list}`, c.errors, 'DEFINITION_INVALID');
  }
  return new CompiledFlows({
    platform,
    plans,
    api,
    mode: input.flowExecution?.mode ?? 'DEFAULT',
    matchRequired: input.flowExecution?.matchRequired ?? false,
    ...(input.logger === undefined ? {} : { logger: input.logger }),
  });
}
