import type { InterruptOptions, PolicyInstance } from '@apim/core';
import { compileAntPattern } from './ant-path.js';
import type { ResourceFilteringConfig } from './schema.js';

interface Rule {
  pattern: RegExp;
  /** Empty: every method. */
  methods: ReadonlySet<string>;
}

export const FORBIDDEN: InterruptOptions = Object.freeze({
  status: 403,
  key: 'RESOURCE_FILTERING_FORBIDDEN',
  message: "You're not allowed to access this resource",
});
export const METHOD_NOT_ALLOWED: InterruptOptions = Object.freeze({
  status: 405,
  key: 'RESOURCE_FILTERING_METHOD_NOT_ALLOWED',
  message: 'Method not allowed while accessing this resource',
});

const compile = (rules: ResourceFilteringConfig['whitelist']): Rule[] =>
  rules.map((r) => ({ pattern: compileAntPattern(r.pattern), methods: new Set(r.methods) }));

const allows = (rule: Rule, method: string) => rule.methods.size === 0 || rule.methods.has(method);

/**
 * Decides for a path and a method, as Gravitee: with a whitelist, a path no rule matches is 403 and a path matched
 * only for other methods is 405; a blacklist rule matching the path refuses with 403 when it lists no method and
 * 405 when it lists this one. Undefined when the request may pass.
 */
export function filterResource(
  whitelist: readonly Rule[],
  blacklist: readonly Rule[],
  path: string,
  method: string,
): InterruptOptions | undefined {
  if (whitelist.length > 0) {
    let pathMatched = false;
    let allowed = false;
    for (const rule of whitelist) {
      if (!rule.pattern.test(path)) continue;
      pathMatched = true;
      if (allows(rule, method)) {
        allowed = true;
        break;
      }
    }
    if (!pathMatched) return FORBIDDEN;
    if (!allowed) return METHOD_NOT_ALLOWED;
  }
  for (const rule of blacklist) {
    if (!rule.pattern.test(path)) continue;
    if (rule.methods.size === 0) return FORBIDDEN;
    if (rule.methods.has(method)) return METHOD_NOT_ALLOWED;
  }
  return undefined;
}

/** Builds the instance: patterns compiled once; matched against `request.pathInfo`. */
export function createResourceFiltering(config: Readonly<ResourceFilteringConfig>): PolicyInstance {
  const whitelist = compile(config.whitelist);
  const blacklist = compile(config.blacklist);
  return {
    onRequest(exec): void {
      const refusal = filterResource(whitelist, blacklist, exec.request.pathInfo, exec.request.method.toUpperCase());
      if (refusal !== undefined) exec.interrupt(refusal);
    },
  };
}
