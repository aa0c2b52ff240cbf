import type { PolicyFactoryContext, PolicyResource } from '@apim/core';
import { RecordingLogger } from './in-memory-execution-context.js';

/** A factory context for tests: a recording logger, the given policy id and the API's resources. */
export function testFactoryContext(
  policyId = 'test',
  resources: readonly PolicyResource[] = [],
): PolicyFactoryContext & { logger: RecordingLogger } {
  return { policyId, apiId: 'test-api', logger: new RecordingLogger(), resources };
}
