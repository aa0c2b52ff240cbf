import { parse, YAMLParseError } from 'yaml';
import { ApimError } from '../errors.js';

/**
 * Parses a definition file: JSON or YAML (YAML 1.2 is a superset of JSON, so one parser reads both). Throws
 * IMPORT_UNSUPPORTED_FORMAT with the parser's message and position (line, column) when the text is malformed.
 *
 * @example
 * parseDefinitionText('{"api": {}}'); // { api: {} }
 */
export function parseDefinitionText(text: string): unknown {
  if (text.trim() === '') {
    throw new ApimError('IMPORT_UNSUPPORTED_FORMAT', { message: 'The file is empty.' });
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      // Not strict JSON: YAML flow style may still read it, and reports the position when it cannot.
    }
  }
  try {
    return parse(text, { prettyErrors: true });
  } catch (error) {
    const position =
      error instanceof YAMLParseError && error.linePos !== undefined
        ? ` (line ${error.linePos[0].line}, column ${error.linePos[0].col})`
        : '';
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ApimError('IMPORT_UNSUPPORTED_FORMAT', {
      message: `The file is neither valid JSON nor valid YAML${position}: ${reason}`,
      cause: error,
    });
  }
}
