import type { FieldError } from '../errors.js';
import { pointer } from './ajv-errors.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** URL schemes an `http-proxy` endpoint target may use (gRPC goes through http-proxy too). */
const HTTP_TARGET_SCHEMES = new Set(['http:', 'https:', 'grpc:', 'grpcs:']);

/** Normalises a context path for comparison: `/a` and `/a/` are the same context path. */
function contextPathKey(host: unknown, path: string): string {
  const trimmed = path.endsWith('/') ? path : `${path}/`;
  return `${typeof host === 'string' ? host.toLowerCase() : ''} ${trimmed.replace(/\/{2,}/g, '/')}`;
}

/** Whether an http-proxy target is an absolute http(s)/grpc(s) URL; EL templates only need the scheme to be right. */
export function isValidHttpTarget(target: unknown): boolean {
  if (typeof target !== 'string' || target.trim() === '') return false;
  if (target.includes('{#')) return /^(https?|grpcs?):\/\/\S|^\{#/i.test(target);
  try {
    const url = new URL(target);
    return HTTP_TARGET_SCHEMES.has(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

function checkListeners(api: Json, errors: FieldError[]): void {
  const listeners = api.listeners;
  if (Array.isArray(listeners) && listeners.length === 0) {
    errors.push({ path: '/listeners', message: 'at least one listener is required' });
  }
  const seen = new Map<string, string>();
  list(listeners).forEach((listener, i) => {
    if (!isObject(listener)) return;
    if (Array.isArray(listener.entrypoints) && listener.entrypoints.length === 0) {
      errors.push({ path: pointer('listeners', i, 'entrypoints'), message: 'at least one entrypoint is required' });
    }
    if (listener.type === 'TCP' && list(listener.hosts).length === 0) {
      errors.push({ path: pointer('listeners', i, 'hosts'), message: 'a TCP listener needs at least one host' });
    }
    if (listener.type !== 'HTTP') return;
    if (list(listener.paths).length === 0) {
      errors.push({ path: pointer('listeners', i, 'paths'), message: 'an HTTP listener needs at least one path' });
    }
    list(listener.paths).forEach((entry, j) => {
      if (!isObject(entry) || typeof entry.path !== 'string') return;
      const at = pointer('listeners', i, 'paths', j, 'path');
      if (!entry.path.startsWith('/')) {
        errors.push({ path: at, message: `must start with '/' (got ${JSON.stringify(entry.path)})` });
        return;
      }
      const key = contextPathKey(entry.host, entry.path);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, at);
      else errors.push({ path: at, message: `duplicates the context path at ${first}` });
    });
  });
}

function checkEndpointTarget(endpoint: Json, at: (...s: (string | number)[]) => string, errors: FieldError[]): void {
  const configuration = isObject(endpoint.configuration) ? endpoint.configuration : {};
  if (endpoint.type === 'http-proxy' && !isValidHttpTarget(configuration.target)) {
    errors.push({
      path: at('configuration', 'target'),
      message: 'must be an absolute http(s) URL, e.g. https://backend.example.com/base',
    });
  }
  if (endpoint.type === 'tcp-proxy') {
    const target = isObject(configuration.target) ? configuration.target : {};
    if (typeof target.host !== 'string' || target.host === '') {
      errors.push({ path: at('configuration', 'target', 'host'), message: 'a tcp-proxy endpoint needs a host' });
    }
    const port = target.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      errors.push({ path: at('configuration', 'target', 'port'), message: 'must be a port number (1-65535)' });
    }
  }
}

function checkEndpointGroups(api: Json, errors: FieldError[]): void {
  const groups = api.endpointGroups;
  if (Array.isArray(groups) && groups.length === 0) {
    errors.push({ path: '/endpointGroups', message: 'at least one endpoint group is required' });
  }
  // Groups and endpoints share one namespace: EL and the dlq refer to either by name.
  const names = new Map<string, string>();
  const claim = (name: unknown, at: string) => {
    if (typeof name !== 'string') return;
    const first = names.get(name);
    if (first === undefined) names.set(name, at);
    else errors.push({ path: at, message: `duplicates the name ${JSON.stringify(name)} at ${first}` });
  };
  list(groups).forEach((group, i) => {
    if (!isObject(group)) return;
    claim(group.name, pointer('endpointGroups', i, 'name'));
    if (Array.isArray(group.endpoints) && group.endpoints.length === 0) {
      errors.push({ path: pointer('endpointGroups', i, 'endpoints'), message: 'at least one endpoint is required' });
    }
    list(group.endpoints).forEach((endpoint, j) => {
      if (!isObject(endpoint)) return;
      const at = (...s: (string | number)[]) => pointer('endpointGroups', i, 'endpoints', j, ...s);
      claim(endpoint.name, at('name'));
      if (typeof endpoint.type === 'string' && typeof group.type === 'string' && endpoint.type !== group.type) {
        errors.push({ path: at('type'), message: `must match the endpoint group type ${JSON.stringify(group.type)}` });
      }
      checkEndpointTarget(endpoint, at, errors);
    });
  });
}

/** Checks the `flows` of an API or a plan: HTTP selector paths start with '/'. */
function checkFlows(flows: unknown, errors: FieldError[]): void {
  list(flows).forEach((flow, i) => {
    if (!isObject(flow)) return;
    list(flow.selectors).forEach((selector, j) => {
      if (isObject(selector) && selector.type === 'HTTP' && typeof selector.path === 'string') {
        if (!selector.path.startsWith('/')) {
          errors.push({
            path: pointer('flows', i, 'selectors', j, 'path'),
            message: "must start with '/'",
          });
        }
      }
    });
  });
}

/**
 * The rules a JSON Schema cannot express: at least one listener, unique context paths starting with '/', at least
 * one endpoint group with at least one endpoint, unique endpoint and group names (one namespace, as Gravitee), endpoint
 * types equal to their group's, usable endpoint targets. Written
 * defensively: it runs on values that may also have failed the schema.
 */
export function checkApiSemantics(api: unknown): FieldError[] {
  const errors: FieldError[] = [];
  if (!isObject(api)) return errors;
  checkListeners(api, errors);
  checkEndpointGroups(api, errors);
  checkFlows(api.flows, errors);
  return errors;
}

/** Plan rules beyond the schema: a STANDARD plan has a security type; HTTP selector paths start with '/'. */
export function checkPlanSemantics(plan: unknown): FieldError[] {
  const errors: FieldError[] = [];
  if (!isObject(plan)) return errors;
  if ((plan.mode ?? 'STANDARD') === 'STANDARD' && plan.security === undefined) {
    errors.push({ path: '/security', message: 'is required for a STANDARD plan' });
  }
  checkFlows(plan.flows, errors);
  return errors;
}
