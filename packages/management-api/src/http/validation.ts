import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Installs the schema compilers: request bodies are validated strictly (no type coercion: `"name": 12` is an
 * error, not `"12"`), query strings and path parameters with coercion (`?page=2` is the integer 2, `?statuses=A,B`
 * an array). Every error is reported at once (`allErrors`), with the offending value (`verbose`) for the details.
 */
export function installValidation(app: FastifyInstance): void {
  const common = { allErrors: true, verbose: true, strict: false, useDefaults: true } as const;
  const bodyAjv = new Ajv({ ...common, coerceTypes: false });
  const requestAjv = new Ajv({ ...common, coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? bodyAjv.compile(schema) : requestAjv.compile(schema),
  );
}
