import type { ExecutionContext, PolicyInstance } from '@apim/core';
import { evaluateText, templateValue } from '../common/el-values.js';
import type { TransformQueryParamsConfig } from './schema.js';

/**
 * Clears (when asked), removes, then adds or updates the query parameters sent upstream. The gateway rebuilds the
 * upstream query string from `request.query`.
 */
export function createTransformQueryParams(config: Readonly<TransformQueryParamsConfig>): PolicyInstance {
  const adds = config.addQueryParameters.map((p) => ({
    name: p.name,
    value: templateValue(p.value),
    append: p.appendToExistingArray,
  }));
  const { clearAll, removeQueryParameters: remove } = config;
  return {
    onRequest(exec: ExecutionContext): void {
      const query = exec.request.query;
      if (clearAll) query.clear();
      else for (const name of remove) query.delete(name);
      for (const add of adds) {
        const value = evaluateText(add.value, exec);
        if (value === null) continue;
        if (add.append) query.add(add.name, value);
        else query.set(add.name, value);
      }
    },
  };
}
