import type { PolicyInstance } from '@apim/core';
import { bodyPhases, replaceBody } from '../common/body-transform.js';
import { compileJolt, JoltSpecError } from './jolt.js';
import type { JsonToJsonConfig } from './schema.js';

/** The error key when the body is not JSON or the transformation fails (Gravitee's key). */
export const INVALID_JSON_TRANSFORMATION = 'INVALID_JSON_TRANSFORMATION';

/**
 * Compiles the JOLT chain once (an invalid specification is a configuration error) and transforms the body of
 * the request or the response. A body that is not JSON interrupts with 500 `INVALID_JSON_TRANSFORMATION`, as
 * Gravitee does (the transformation failing is the API's fault, not the client's).
 */
export function createJsonToJson(config: Readonly<JsonToJsonConfig>): PolicyInstance {
  let chain: ReturnType<typeof compileJolt>;
  try {
    chain = compileJolt(config.specification);
  } catch (e) {
    if (e instanceof JoltSpecError) throw new Error(`invalid JOLT specification: ${e.message}`);
    throw e;
  }
  return bodyPhases(config.scope, async (exec, message) => {
    const text = (await message.body()).toString('utf8');
    let output: unknown;
    try {
      output = chain.transform(JSON.parse(text));
    } catch (e) {
      return exec.interrupt({
        status: 500,
        key: INVALID_JSON_TRANSFORMATION,
        message: `Unable to apply JSON to JSON transformation: ${(e as Error).message}`,
      });
    }
    replaceBody(message, JSON.stringify(output), 'application/json', config.overrideContentType);
  });
}
