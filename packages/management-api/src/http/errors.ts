import { ApimError, type ErrorCode, type FieldError } from '@apim/core';

/** One entry of the `details` of a Gravitee error body. */
export interface ErrorDetail {
  message: string;
  /** JSON pointer of the field in error (RFC 6901), relative to the request part (body, query, params). */
  location: string;
  invalidValue?: unknown;
}

/** The error body of Gravitee's Management API v2 (`#/components/schemas/Error`). */
export interface ErrorBody {
  httpStatus: number;
  message: string;
  technicalCode: string;
  parameters?: Record<string, string>;
  details?: ErrorDetail[];
}

/**
 * An {@link ApimError} that also carries the Gravitee `technicalCode` (e.g. `api.notFound`) and the message
 * `parameters` Gravitee clients read.
 *
 * @example
 * throw new ManagementError('MANAGEMENT_NOT_FOUND', `Api [${id}] cannot be found.`, 'api.notFound', { api: id });
 */
export class ManagementError extends ApimError {
  readonly technicalCode: string;
  readonly parameters: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    technicalCode: string = code,
    parameters?: Record<string, string>,
    details?: FieldError[],
  ) {
    super(code, { message, details });
    this.name = 'ManagementError';
    this.technicalCode = technicalCode;
    this.parameters = parameters;
  }
}

/** 404 for an API unknown in the environment: `Api [id] cannot be found.` */
export function apiNotFound(apiId: string): ManagementError {
  return new ManagementError('MANAGEMENT_NOT_FOUND', `Api [${apiId}] cannot be found.`, 'api.notFound', {
    api: apiId,
  });
}

/** 404 for a plan unknown on the API: `Plan [id] cannot be found.` */
export function planNotFound(planId: string): ManagementError {
  return new ManagementError('MANAGEMENT_NOT_FOUND', `Plan [${planId}] cannot be found.`, 'plan.notFound', {
    plan: planId,
  });
}

/** 404 for an unknown environment id or hrid. */
export function environmentNotFound(envId: string): ManagementError {
  return new ManagementError(
    'MANAGEMENT_NOT_FOUND',
    `Environment [${envId}] cannot be found.`,
    'environment.notFound',
    { environment: envId },
  );
}

/** 400 for a request the current state of a resource forbids (start a started API, publish a closed plan...). */
export function badRequest(message: string, technicalCode: string, parameters?: Record<string, string>) {
  return new ManagementError('MANAGEMENT_BAD_REQUEST', message, technicalCode, parameters);
}

/** Maps field errors (JSON pointers) to Gravitee error details. */
export function toDetails(errors: readonly FieldError[]): ErrorDetail[] {
  return errors.map((e) => ({ message: e.message, location: e.path }));
}

/** The Gravitee error body of an {@link ApimError}; 5xx messages are replaced unless the error says they are safe. */
export function errorBody(error: ApimError): ErrorBody {
  const body: ErrorBody = {
    httpStatus: error.status,
    message: error.expose ? error.message : 'Internal server error',
    technicalCode: error instanceof ManagementError ? error.technicalCode : error.code,
  };
  if (error instanceof ManagementError && error.parameters) body.parameters = error.parameters;
  if (error.details.length > 0) body.details = toDetails(error.details);
  return body;
}

function notFound(entity: string, technicalCode: string, key: string, id: string): ManagementError {
  return new ManagementError('MANAGEMENT_NOT_FOUND', `${entity} [${id}] cannot be found.`, technicalCode, {
    [key]: id,
  });
}

/** 404 for a subscription unknown on the API. */
export function subscriptionNotFound(subscriptionId: string): ManagementError {
  return notFound('Subscription', 'subscription.notFound', 'subscription', subscriptionId);
}

/** 404 for an application unknown in the environment. */
export function applicationNotFound(applicationId: string): ManagementError {
  return notFound('Application', 'application.notFound', 'application', applicationId);
}

/** 404 for an API key unknown on the subscription. */
export function apiKeyNotFound(apiKeyId: string): ManagementError {
  return notFound('API Key', 'apiKey.notFound', 'apiKey', apiKeyId);
}

/** 400 for a body field that is well-formed JSON but not acceptable (located by JSON pointer). */
export function invalidField(path: string, message: string, technicalCode = 'MANAGEMENT_VALIDATION_FAILED') {
  return new ManagementError('MANAGEMENT_VALIDATION_FAILED', 'Invalid request body', technicalCode, undefined, [
    { path, message },
  ]);
}

/**
 * An optional ISO-8601 date of a request body in canonical form (`toISOString()`), or a 400 located at `path`.
 *
 * @example parseDate(body.endingAt, '/endingAt') // '2031-01-01T00:00:00.000Z' | undefined
 */
export function parseDate(value: string | null | undefined, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalidField(path, 'must be an ISO-8601 date-time');
  return new Date(time).toISOString();
}
