import { ATTR_REQUEST_ENDPOINT, type ExecutionContext, type PolicyInstance } from '@apim/core';
import { evaluateTextIn, type TemplateValue, templateValue } from '../common/el-values.js';
import type { DynamicRoutingConfig } from './schema.js';

/** The error key when no rule matches the path (Gravitee answers 400 "No routing rule is matching path"). */
export const DYNAMIC_ROUTING_NO_MATCHING_RULE = 'DYNAMIC_ROUTING_NO_MATCHING_RULE';

interface Rule {
  pattern: RegExp;
  url: TemplateValue;
}

function compilePattern(source: string, index: number): RegExp {
  try {
    return new RegExp(`^(?:${source})$`, 's');
  } catch (e) {
    throw new Error(`rules[${index}].pattern is not a valid regular expression: ${(e as Error).message}`);
  }
}

function decode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Compiles every rule once. Per request: the first rule whose pattern matches the whole decoded path info wins;
 * its groups become `#group` (a list) and `#groupName` (a map) for the url template, whose value is set as the
 * `gravitee.attribute.request.endpoint` attribute. No rule matching interrupts with 400; no rule at all is a no-op.
 */
export function createDynamicRouting(config: Readonly<DynamicRoutingConfig>): PolicyInstance {
  const rules: readonly Rule[] = config.rules.map((r, i) => ({
    pattern: compilePattern(r.pattern, i),
    url: templateValue(r.url),
  }));
  return {
    onRequest(exec: ExecutionContext): void {
      if (rules.length === 0) return;
      const path = decode(exec.request.pathInfo);
      for (const rule of rules) {
        const match = rule.pattern.exec(path);
        if (match === null) continue;
        const group = match.slice(1).map((g) => g ?? null);
        const groupName = { ...match.groups };
        const url = evaluateTextIn(rule.url, () => {
          const el = exec.el();
          return { ...el, variables: { ...el.variables, group, groupName } };
        });
        exec.attributes.set(ATTR_REQUEST_ENDPOINT, url ?? '');
        exec.logger.debug({ path, endpoint: url }, 'dynamic-routing: route request');
        return;
      }
      exec.interrupt({
        status: 400,
        key: DYNAMIC_ROUTING_NO_MATCHING_RULE,
        message: 'No routing rule is matching path',
      });
    },
  };
}
