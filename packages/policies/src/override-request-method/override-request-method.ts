import type { PolicyInstance } from '@apim/core';
import type { OverrideRequestMethodConfig } from './schema.js';

/** Replaces the method sent upstream (later conditions see the new method in `#request.method`). */
export function createOverrideRequestMethod(config: Readonly<OverrideRequestMethodConfig>): PolicyInstance {
  const method = config.method;
  return {
    onRequest(exec): void {
      exec.request.method = method;
    },
  };
}
