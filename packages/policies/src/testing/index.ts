export { testFactoryContext } from './factory-context.js';
export { type InMemoryExchangeInit, InMemoryExecutionContext, RecordingLogger } from './in-memory-execution-context.js';
export { instantiate } from './instantiate.js';
