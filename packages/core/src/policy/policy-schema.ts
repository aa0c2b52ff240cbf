import { type StringOptions, Type } from '@sinclair/typebox';

/** Form hints a console renders (`x-ui`): the widget and where the field sits. */
export interface UiHints {
  widget?: 'text' | 'textarea' | 'code' | 'select' | 'key-value' | 'number' | 'toggle';
  /** For `code`: the language to highlight. */
  language?: string;
  placeholder?: string;
  /** Fields with the same group are drawn together. */
  group?: string;
}

/**
 * A string that is a Gravitee EL template (`{#request.headers['x'][0]}`): marked `x-el: true`, so deploy-time
 * validation compiles it and reports a syntax error with its JSON pointer and position.
 *
 * @example
 * const value = ElTemplate({ title: 'Value', description: 'The header value (EL)' });
 */
export function ElTemplate(options: StringOptions & { 'x-ui'?: UiHints } = {}) {
  return Type.String({ ...options, 'x-el': true });
}
