/**
 * The deploy-time product of `compileFlows`: per request it selects the flows (no compilation) and runs their
 * steps in Gravitee's order: platform, plan, API on the request; plan, API, then platform on the response.
 */
import {
  type CompiledTemplate,
  type ElContext,
  type ExecutionContext,
  evaluateCondition,
  type PolicyLogger,
} from '@apim/core';
import { type CompiledStep, runFlows } from './flow-chain.js';
import { bestMatch, type PathPattern } from './path-pattern.js';

/** A flow compiled once: its selectors and its steps. */
export interface CompiledFlow {
  readonly level: 'platform' | 'plan' | 'api';
  /** JSON pointer of the flow in the definition. */
  readonly location: string;
  readonly name: string | undefined;
  /** The HTTP selector, if any: path pattern and methods (undefined: every method). */
  readonly http: { readonly pattern: PathPattern; readonly methods: ReadonlySet<string> | undefined } | undefined;
  /** CONDITION selectors: all must be true. */
  readonly conditions: readonly CompiledTemplate[];
  readonly request: readonly CompiledStep[];
  readonly response: readonly CompiledStep[];
  /** A step policy declares `needsBody` or an EL expression reads the body. */
  readonly needsRequestBody: boolean;
  readonly needsResponseBody: boolean;
}

/** The flows selected for one request. */
export interface FlowSelection {
  /** Platform, plan and API flows, in request order. */
  readonly request: readonly CompiledFlow[];
  /** Plan and API flows (response order), skipped when the request phase was interrupted. */
  readonly response: readonly CompiledFlow[];
  /** Platform flows, run last on the response, even after an interruption. */
  readonly platformResponse: readonly CompiledFlow[];
  /** Parameters captured by the selected flows' paths. */
  readonly pathParams: Readonly<Record<string, string>>;
  /** `matchRequired` is set and no API flow matched: the request phase ends with 404 GATEWAY_FLOW_NOT_FOUND. */
  readonly flowNotFound: boolean;
  readonly needsRequestBody: boolean;
  readonly needsResponseBody: boolean;
}

export const FLOW_NOT_FOUND = Object.freeze({
  status: 404,
  key: 'GATEWAY_FLOW_NOT_FOUND',
  message: 'No flow matches the request.',
});

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

type LazyEl = ElContext | (() => ElContext);

/** The compiled flows of one deployment of an API. */
export class CompiledFlows {
  readonly #platform: readonly CompiledFlow[];
  readonly #plans: ReadonlyMap<string, readonly CompiledFlow[]>;
  readonly #api: readonly CompiledFlow[];
  readonly #bestMatch: boolean;
  readonly #matchRequired: boolean;
  readonly #logger: PolicyLogger | undefined;

  constructor(options: {
    platform: readonly CompiledFlow[];
    plans: ReadonlyMap<string, readonly CompiledFlow[]>;
    api: readonly CompiledFlow[];
    mode: 'DEFAULT' | 'BEST_MATCH';
    matchRequired: boolean;
    logger?: PolicyLogger;
  }) {
    this.#platform = options.platform;
    this.#plans = options.plans;
    this.#api = options.api;
    this.#bestMatch = options.mode === 'BEST_MATCH';
    this.#matchRequired = options.matchRequired;
    this.#logger = options.logger;
  }

  /** True when the deployment has no flow at all (the gateway can skip the engine). */
  get isEmpty(): boolean {
    return (
      this.#platform.length === 0 && this.#api.length === 0 && [...this.#plans.values()].every((f) => f.length === 0)
    );
  }

  /**
   * Selects the flows of a request. `el` is the request's EL context (or a function building it), only read when a
   * CONDITION selector must be evaluated. BEST_MATCH applies to plan flows and API flows separately; platform flows
   * always run in DEFAULT mode.
   */
  select(method: string, pathInfo: string, el: LazyEl, planId?: string): FlowSelection {
    let context: ElContext | undefined;
    const elOf = () => (context ??= typeof el === 'function' ? el() : el);
    const upper = method.toUpperCase();
    const platform = this.#matching(this.#platform, upper, pathInfo, elOf, false);
    const planFlows = planId === undefined ? undefined : this.#plans.get(planId);
    const plan = planFlows === undefined ? [] : this.#matching(planFlows, upper, pathInfo, elOf, this.#bestMatch);
    const api = this.#matching(this.#api, upper, pathInfo, elOf, this.#bestMatch);
    const request = platform.length + plan.length === 0 ? api : [...platform, ...plan, ...api];
    const response = plan.length === 0 ? api : [...plan, ...api];
    let pathParams = EMPTY;
    let needsRequestBody = false;
    let needsResponseBody = false;
    for (const flow of request) {
      needsRequestBody ||= flow.needsRequestBody;
      needsResponseBody ||= flow.needsResponseBody;
      if (flow.http === undefined) continue;
      const params = flow.http.pattern.match(pathInfo);
      if (params !== undefined && Object.keys(params).length > 0)
        pathParams = pathParams === EMPTY ? params : { ...pathParams, ...params };
    }
    return {
      request,
      response,
      platformResponse: platform,
      pathParams,
      flowNotFound: this.#matchRequired && api.length === 0,
      needsRequestBody,
      needsResponseBody,
    };
  }

  #matching(
    flows: readonly CompiledFlow[],
    method: string,
    pathInfo: string,
    el: () => ElContext,
    best: boolean,
  ): readonly CompiledFlow[] {
    if (flows.length === 0) return flows;
    const out: CompiledFlow[] = [];
    for (const flow of flows) if (this.#matches(flow, method, pathInfo, el)) out.push(flow);
    if (!best || out.length <= 1) return out;
    const chosen = bestMatch(out, (flow) => flow.http?.pattern.path, pathInfo);
    return chosen === undefined ? [] : [chosen];
  }

  #matches(flow: CompiledFlow, method: string, pathInfo: string, el: () => ElContext): boolean {
    const http = flow.http;
    if (http !== undefined) {
      if (http.methods !== undefined && !http.methods.has(method)) return false;
      if (http.pattern.match(pathInfo) === undefined) return false;
    }
    for (const condition of flow.conditions) {
      try {
        if (!evaluateCondition(condition, el())) return false;
      } catch (error) {
        this.#logger?.warn({ err: error, flow: flow.location }, 'flow condition failed: the flow is not selected');
        return false;
      }
    }
    return true;
  }

  /**
   * Runs the request phase: sets `request.pathParams`, runs the selected flows, then answers 404
   * GATEWAY_FLOW_NOT_FOUND when `matchRequired` found no API flow. Undefined when it all ran synchronously.
   */
  runRequest(exec: ExecutionContext, selection: FlowSelection): void | Promise<void> {
    if (selection.pathParams !== EMPTY) exec.request.pathParams = selection.pathParams;
    const result = runFlows(exec, selection.request, 'request');
    if (!selection.flowNotFound) return result;
    if (result === undefined) return notFound(exec);
    return result.then(() => notFound(exec));
  }

  /**
   * Runs the response phase: plan and API flows (unless the exchange was interrupted), then the platform flows,
   * which always run, as Gravitee's "platform post flows must always be executed".
   */
  runResponse(exec: ExecutionContext, selection: FlowSelection): void | Promise<void> {
    const result =
      exec.interruption === undefined && selection.response.length > 0
        ? runFlows(exec, selection.response, 'response')
        : undefined;
    if (selection.platformResponse.length === 0) return result;
    const platform = () => runFlows(exec, selection.platformResponse, 'response');
    return result === undefined ? platform() : result.then(platform);
  }
}

function notFound(exec: ExecutionContext): void {
  if (exec.interruption === undefined) exec.interrupt(FLOW_NOT_FOUND);
}
