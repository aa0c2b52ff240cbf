import type { PolicyInstance } from '@apim/core';
import { bodyPhases } from '../common/body-transform.js';
import { evaluateText, templateValue } from '../common/el-values.js';
import type { AssignContentConfig } from './schema.js';

/** The error key when the template cannot be evaluated (e.g. `#request.jsonContent` on a body that is not JSON). */
export const ASSIGN_CONTENT_ERROR = 'ASSIGN_CONTENT_ERROR';

/**
 * Replaces the body of the request or the response with the template, compiled once. The Content-Type is left
 * as it is (set it with `transform-headers`). An evaluation error interrupts with 500 `ASSIGN_CONTENT_ERROR`.
 */
export function createAssignContent(config: Readonly<AssignContentConfig>): PolicyInstance {
  const body = templateValue(config.body);
  return bodyPhases(config.scope, async (exec, message) => {
    let text: string;
    try {
      text = evaluateText(body, exec) ?? '';
    } catch (e) {
      exec.logger.warn({ err: e }, 'assign-content: template evaluation failed');
      return exec.interrupt({
        status: 500,
        key: ASSIGN_CONTENT_ERROR,
        message: `Unable to assign body content: ${(e as Error).message}`,
      });
    }
    message.setBody(text);
  });
}
