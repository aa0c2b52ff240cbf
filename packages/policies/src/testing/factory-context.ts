import type { PolicyFactoryContext } from '@apim/core';
import { RecordingLogger } from './in-memory-execution-context.js';

/** A factory context for tests: a recording logger and the given policy id. */
export function testFactoryContext(policyId = 'test'): PolicyFactoryContext & { logger: RecordingLogger } {
  return { policyId, apiId: 'test-api', logger: new RecordingLogger() };
}
