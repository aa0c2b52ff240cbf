export type {
  ElContext,
  ElContextInit,
  ElLazy,
  ElMessage,
  ElRequest,
  ElResponse,
} from './context.js';
export { createElContext } from './context.js';
export {
  ElEvaluationError,
  type ElEvaluationErrorCode,
  ElSyntaxError,
  type ElSyntaxErrorCode,
} from './errors.js';
export {
  type CompiledExpression,
  type CompiledTemplate,
  compileExpression,
  compileTemplate,
  type ElCompiled,
  type ElValidationResult,
  evaluate,
  evaluateCondition,
  evaluateToString,
  validateExpression,
  validateTemplate,
} from './expression.js';
export { ElMultiValueMap, type MultiValueInput } from './multi-value-map.js';
export {
  DEFAULT_MAX_COLLECTION_SIZE as EL_DEFAULT_MAX_COLLECTION_SIZE,
  DEFAULT_MAX_STEPS as EL_DEFAULT_MAX_STEPS,
  DEFAULT_MAX_STRING_LENGTH as EL_DEFAULT_MAX_STRING_LENGTH,
  type EvaluateOptions,
} from './state.js';
export { ALLOWED_TYPES as EL_ALLOWED_TYPES } from './static-types.js';
