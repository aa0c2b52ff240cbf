import { ApimError, toFieldErrors } from '@apim/core';
import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorBody, type ErrorDetail, errorBody } from './errors.js';

const PART_LABELS: Record<string, string> = {
  body: 'Invalid request body',
  querystring: 'Invalid query parameters',
  params: 'Invalid path parameters',
  headers: 'Invalid request headers',
};

function isPrimitive(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** Every ajv error of a fastify validation failure as a Gravitee detail located by JSON pointer. */
function validationDetails(errors: readonly ErrorObject[]): ErrorDetail[] {
  const fields = toFieldErrors(errors);
  return fields.map((field) => {
    const source = errors.find(
      (e) => e.keyword !== 'required' && e.instancePath === field.path && isPrimitive((e as { data?: unknown }).data),
    );
    const detail: ErrorDetail = { message: field.message, location: field.path };
    if (source) detail.invalidValue = (source as { data?: unknown }).data;
    return detail;
  });
}

/** Maps the errors fastify itself raises (content type, body size, JSON syntax, validation) to Gravitee bodies. */
function fastifyErrorBody(error: FastifyError & { validationContext?: string }): ErrorBody | undefined {
  if (error.validation) {
    return {
      httpStatus: 400,
      message: PART_LABELS[error.validationContext ?? 'body'] ?? 'Invalid request',
      technicalCode: 'MANAGEMENT_VALIDATION_FAILED',
      details: validationDetails(error.validation as ErrorObject[]),
    };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        httpStatus: 415,
        message: 'Unsupported media type: send application/json.',
        technicalCode: 'MANAGEMENT_UNSUPPORTED_MEDIA_TYPE',
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { httpStatus: 413, message: 'Request body is too large.', technicalCode: 'MANAGEMENT_PAYLOAD_TOO_LARGE' };
    default:
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        return { httpStatus: error.statusCode, message: error.message, technicalCode: 'MANAGEMENT_BAD_REQUEST' };
      }
      return undefined;
  }
}

/**
 * Installs the error handler and the not-found handler: every failure becomes a Gravitee error body
 * `{ httpStatus, message, technicalCode, parameters?, details? }`. Unexpected errors are logged and answered with a
 * 500 that names nothing internal. Request bodies and credentials are never logged.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let body: ErrorBody | undefined;
    if (error instanceof ApimError) body = errorBody(error);
    else body = fastifyErrorBody(error);
    if (!body) {
      request.log.error({ err: error }, 'unexpected error');
      body = { httpStatus: 500, message: 'Internal server error', technicalCode: 'MANAGEMENT_INTERNAL_ERROR' };
    } else if (body.httpStatus >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ status: body.httpStatus, technicalCode: body.technicalCode }, 'request rejected');
    }
    if (body.httpStatus === 401) reply.header('www-authenticate', 'Basic realm="apim"');
    return reply.code(body.httpStatus).type('application/json; charset=utf-8').send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      httpStatus: 404,
      message: `Route ${request.method}:${request.url.split('?')[0]} not found`,
      technicalCode: 'MANAGEMENT_NOT_FOUND',
    };
    return reply.code(404).send(body);
  });
}
