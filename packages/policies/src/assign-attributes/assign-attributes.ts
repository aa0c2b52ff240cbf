import type { ExecutionContext, PolicyInstance } from '@apim/core';
import { evaluateValue, templateValue } from '../common/el-values.js';
import { inScope } from '../common/schema-parts.js';
import type { AssignAttributesConfig } from './schema.js';

/** Sets each attribute, in order (a later one can read an earlier one). */
export function createAssignAttributes(config: Readonly<AssignAttributesConfig>): PolicyInstance {
  const attributes = config.attributes.map((a) => ({ name: a.name, value: templateValue(a.value) }));
  const assign = (exec: ExecutionContext): void => {
    for (const attribute of attributes) exec.attributes.set(attribute.name, evaluateValue(attribute.value, exec));
  };
  const instance: PolicyInstance = {};
  if (inScope(config.scope, 'REQUEST')) instance.onRequest = assign;
  if (inScope(config.scope, 'RESPONSE')) instance.onResponse = assign;
  return instance;
}
