/**
 * Deploy-time checks of flows in the management API, the same the gateway makes when it compiles them: every step
 * names a known policy that runs in its phase, its configuration matches the policy's schema (EL templates of
 * `x-el` fields included), and step and selector conditions are valid EL. Problems carry JSON pointers such as
 * `/flows/0/request/1/configuration/status`.
 */
import { type FieldError, type PolicyRegistry, validateTemplate } from '@apim/core';
import { createPolicyRegistry } from '@apim/policies';

let builtin: PolicyRegistry | undefined;

/** The built-in policies (`@apim/policies`), one registry for the process. */
export function defaultPolicyRegistry(): PolicyRegistry {
  builtin ??= createPolicyRegistry();
  return builtin;
}

type Json = Record<string, unknown>;
const PHASES = ['request', 'response'] as const;

function checkCondition(value: unknown, path: string, errors: FieldError[]): void {
  if (typeof value !== 'string' || value.trim() === '') return;
  const result = validateTemplate(value);
  if (!result.ok) errors.push({ path, message: `invalid EL at position ${result.position}: ${result.message}` });
}

/**
 * The problems of a list of flows, with pointers under `prefix` (`/flows`, `/plans/<id>/flows`). Disabled flows and
 * steps are not checked (the gateway ignores them).
 *
 * `allowUnknownPolicies` is for saving (create, update, import): a definition may name a policy this installation does
 * not have yet (an imported Gravitee API using a plugin installed later) and is stored; deploying it is refused, since
 * no gateway could run it. Steps of known policies are checked either way.
 *
 * @example flowErrors(defaultPolicyRegistry(), api.flows, '/flows');
 */
export function flowErrors(
  registry: PolicyRegistry,
  flows: unknown,
  prefix: string,
  options: { allowUnknownPolicies?: boolean } = {},
): FieldError[] {
  const errors: FieldError[] = [];
  if (!Array.isArray(flows)) return errors;
  flows.forEach((flow: Json, i) => {
    if (typeof flow !== 'object' || flow === null || flow.enabled === false) return;
    const at = `${prefix}/${i}`;
    if (Array.isArray(flow.selectors))
      flow.selectors.forEach((selector: Json, j) => {
        if (selector?.type === 'CONDITION')
          checkCondition(selector.condition, `${at}/selectors/${j}/condition`, errors);
      });
    for (const phase of PHASES) {
      const steps = flow[phase];
      if (!Array.isArray(steps)) continue;
      steps.forEach((step: Json, j) => {
        if (typeof step !== 'object' || step === null || step.enabled === false) return;
        const stepPath = `${at}/${phase}/${j}`;
        const id = String(step.policy);
        const plugin = registry.get(id);
        if (plugin === undefined) {
          if (options.allowUnknownPolicies) return;
          errors.push({ path: `${stepPath}/policy`, message: `unknown policy [${id}]` });
          return;
        }
        if (!plugin.phases.includes(phase)) {
          errors.push({ path: `${stepPath}/policy`, message: `policy [${id}] does not run in the ${phase} phase` });
          return;
        }
        checkCondition(step.condition, `${stepPath}/condition`, errors);
        const result = registry.validateStepConfiguration(id, step.configuration);
        if (!result.ok)
          for (const e of result.errors)
            errors.push({ path: `${stepPath}/configuration${e.path}`, message: e.message });
      });
    }
  });
  return errors;
}
