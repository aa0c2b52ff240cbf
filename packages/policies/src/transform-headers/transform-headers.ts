import type { ExecutionContext, MutableMultiValueMap, PolicyInstance } from '@apim/core';
import { evaluateText, type TemplateValue, templateValue } from '../common/el-values.js';
import { inScope } from '../common/schema-parts.js';
import type { TransformHeadersConfig } from './schema.js';

interface CompiledAdd {
  name: string;
  value: TemplateValue;
  append: boolean;
}

/**
 * Gravitee's order: add or update, then keep the whitelist, then remove. Runs on the request headers in the
 * request phase and on the response headers in the response phase.
 */
export function transformHeaders(
  headers: MutableMultiValueMap,
  adds: readonly CompiledAdd[],
  remove: readonly string[],
  whitelist: ReadonlySet<string>,
  exec: ExecutionContext,
): void {
  for (const add of adds) {
    const value = evaluateText(add.value, exec);
    if (value === null) continue;
    if (add.append) headers.add(add.name, value);
    else headers.set(add.name, value);
  }
  if (whitelist.size > 0)
    for (const name of headers.names()) if (!whitelist.has(name.toLowerCase())) headers.delete(name);
  for (const name of remove) headers.delete(name);
}

/** Builds the instance: templates compiled, names lower-cased once. */
export function createTransformHeaders(config: Readonly<TransformHeadersConfig>): PolicyInstance {
  const adds = config.addHeaders.map((h) => ({
    name: h.name,
    value: templateValue(h.value),
    append: h.appendToExistingArray,
  }));
  const whitelist = new Set(config.whitelistHeaders.map((n) => n.toLowerCase()));
  const remove = config.removeHeaders;
  const instance: PolicyInstance = {};
  if (inScope(config.scope, 'REQUEST'))
    instance.onRequest = (exec) => transformHeaders(exec.request.headers, adds, remove, whitelist, exec);
  if (inScope(config.scope, 'RESPONSE'))
    instance.onResponse = (exec) => transformHeaders(exec.response.headers, adds, remove, whitelist, exec);
  return instance;
}
