/**
 * The chain runner (in the spirit of hono's compose): steps in order, a synchronous fast path that allocates
 * nothing when every policy returns undefined, a stop as soon as an interruption is recorded, and every failure
 * routed to one handler.
 */
import {
  type CompiledTemplate,
  type ExecutionContext,
  evaluateCondition,
  type Interruption,
  PolicyInterruption,
} from '@apim/core';

/** One step, ready to run: its instance was created at deploy time with its validated configuration. */
export interface CompiledStep {
  readonly policyId: string;
  /** JSON pointer of the step in the definition, for logs. */
  readonly location: string;
  readonly condition: CompiledTemplate | undefined;
  readonly run: (exec: ExecutionContext) => void | Promise<void>;
  /** An `x-el` field of the configuration reads a body (`{#request.content}`): the gateway must buffer it. */
  readonly readsBodies?: { readonly request: boolean; readonly response: boolean };
}

/** The steps of a flow, by phase. */
export interface RunnableFlow {
  readonly request: readonly CompiledStep[];
  readonly response: readonly CompiledStep[];
}

export type ChainPhase = 'request' | 'response';

/** The interruption a policy exception becomes (the error itself is logged, never exposed). */
export const INTERNAL_ERROR = Object.freeze({
  status: 500,
  key: 'GATEWAY_INTERNAL_ERROR',
  message: 'Internal Server Error',
});

/**
 * The one error handler: a thrown `PolicyInterruption` is an interruption; anything else (an exception, a rejected
 * promise, a step condition that fails to evaluate) is logged with the policy id and becomes a 500.
 */
export function handleStepError(exec: ExecutionContext, step: CompiledStep, error: unknown): void {
  if (error instanceof PolicyInterruption) {
    exec.interrupt(error.options);
    return;
  }
  exec.logger.error({ err: error, policy: step.policyId, step: step.location }, `policy [${step.policyId}] failed`);
  exec.interrupt(INTERNAL_ERROR);
}

/**
 * Runs the `phase` steps of `flows` from flow `fi`, step `si`. Stops when the context's interruption differs from
 * `before` (the interruption present when the chain started: platform response flows run over an earlier one).
 * Returns undefined when everything ran synchronously.
 */
export function runFlows(
  exec: ExecutionContext,
  flows: readonly RunnableFlow[],
  phase: ChainPhase,
  fi = 0,
  si = 0,
  before: Interruption | undefined = exec.interruption,
): void | Promise<void> {
  for (; fi < flows.length; fi++, si = 0) {
    const steps = flows[fi]![phase];
    for (; si < steps.length; si++) {
      if (exec.interruption !== before) return;
      const step = steps[si]!;
      let result: void | Promise<void>;
      try {
        if (step.condition !== undefined && !evaluateCondition(step.condition, exec.el())) continue;
        result = step.run(exec);
      } catch (error) {
        handleStepError(exec, step, error);
        return;
      }
      // Anything but a thenable counts as done (a policy returning a value by mistake stays synchronous).
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
        const nextFlow = fi;
        const nextStep = si + 1;
        return (result as Promise<void>).then(
          () => runFlows(exec, flows, phase, nextFlow, nextStep, before),
          (error: unknown) => handleStepError(exec, step, error),
        );
      }
    }
  }
}
