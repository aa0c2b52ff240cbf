export { type CompileFlowsInput, compileFlows } from './compile-flows.js';
export { type CompiledFlow, CompiledFlows, FLOW_NOT_FOUND, type FlowSelection } from './compiled-flows.js';
export {
  type ChainPhase,
  type CompiledStep,
  handleStepError,
  INTERNAL_ERROR,
  type RunnableFlow,
  runFlows,
} from './flow-chain.js';
export { bestMatch, compilePathPattern, type PathPattern } from './path-pattern.js';
