import type { PolicyFactoryContext, PolicyResource } from '@apim/core';
import { MemoryRateLimitStore } from '@apim/ratelimit';
import { RecordingLogger } from './in-memory-execution-context.js';

let sharedStore: MemoryRateLimitStore | undefined;

/** The in-memory counter store the test contexts share by default (its sweep timer does not hold the process). */
function testRateLimitStore(): MemoryRateLimitStore {
  sharedStore ??= new MemoryRateLimitStore();
  return sharedStore;
}

/**
 * A factory context for tests: a recording logger, the given policy id, the API's resources and the gateway's
 * services (by default `rateLimit`, an in-memory counter store shared by the test contexts).
 */
export function testFactoryContext(
  policyId = 'test',
  resources: readonly PolicyResource[] = [],
  services: Readonly<Record<string, unknown>> = { rateLimit: testRateLimitStore() },
): PolicyFactoryContext & { logger: RecordingLogger } {
  return { policyId, apiId: 'test-api', logger: new RecordingLogger(), resources, services };
}
