import type { FastifyInstance } from 'fastify';
import { ManagementError } from './errors.js';

/** Media types accepted for YAML documents (Kubernetes operator manifests, YAML exports). */
export const YAML_MEDIA_TYPES = ['application/x-yaml', 'application/yaml', 'text/yaml', 'text/x-yaml'];

function malformedJson(text: string): ManagementError {
  let reason = 'a __proto__ or constructor.prototype property is not allowed';
  try {
    JSON.parse(text);
  } catch (error) {
    reason = (error as Error).message;
  }
  return new ManagementError('MANAGEMENT_BAD_REQUEST', `Malformed JSON body: ${reason}`, 'MANAGEMENT_MALFORMED_JSON');
}

/**
 * Replaces fastify's JSON parser with one that keeps its protection against prototype poisoning, accepts an empty
 * body as "no body" (so `POST .../_start` works with or without `Content-Type: application/json`), and explains
 * where a malformed document breaks.
 */
export function installJsonParser(app: FastifyInstance): void {
  const secureParse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    secureParse(request, text, (error, value) => {
      if (error) done(malformedJson(text), undefined);
      else done(null, value);
    });
  });
}

/**
 * Accepts YAML bodies in the current (encapsulated) context only: the body reaches the handler as text, for a
 * parser that understands YAML (core's `importDefinition`).
 */
export function acceptYamlBodies(app: FastifyInstance): void {
  app.addContentTypeParser(YAML_MEDIA_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });
}
