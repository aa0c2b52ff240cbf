import type { ExecutionContext, PolicyInstance } from '@apim/core';
import { evaluateText, type TemplateValue, templateValue } from '../common/el-values.js';
import type { MockConfig } from './schema.js';

/** The media type of a body without a declared Content-Type, as Gravitee's mock guesses it. */
export function guessContentType(content: string): string {
  const start = content.trimStart()[0];
  if (start === '{' || start === '[') return 'application/json';
  if (start === '<') return 'application/xml';
  return 'text/plain';
}

/**
 * The mock: answers from the configuration without calling the endpoint. It does not interrupt, so the response
 * flows still run on the mocked response (the endpoint is skipped, as Gravitee's mock invoker does).
 */
export function createMock(config: Readonly<MockConfig>): PolicyInstance {
  const status = Number(config.status);
  const headers: readonly { name: string; value: TemplateValue }[] = config.headers.map((h) => ({
    name: h.name,
    value: templateValue(h.value),
  }));
  const content = config.content === undefined ? undefined : templateValue(config.content);
  const declaresType = config.headers.some((h) => h.name.toLowerCase() === 'content-type');
  return {
    onRequest(exec: ExecutionContext): void {
      const response = exec.response;
      response.status = status;
      for (const header of headers) {
        const value = evaluateText(header.value, exec);
        if (value !== null) response.headers.add(header.name, value);
      }
      const body = content === undefined ? '' : (evaluateText(content, exec) ?? '');
      if (!declaresType && body !== '') response.headers.set('Content-Type', guessContentType(body));
      response.setBody(body);
      exec.skipEndpoint();
    },
  };
}
