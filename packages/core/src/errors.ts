/**
 * One catalogue of error codes for the whole platform, with their HTTP status and default message.
 *
 * Gateway keys (GATEWAY_*, API_KEY_*...) are the keys Gravitee users already write in response templates; they are
 * stable. Management and storage codes carry an area prefix.
 */
export const ERROR_CATALOGUE = {
  // Gateway (data plane): keys usable in an API's responseTemplates.
  GATEWAY_NO_CONTEXT_PATH_MATCH: { status: 404, message: 'No context-path matches the request URI.' },
  GATEWAY_PLAN_UNRESOLVABLE: { status: 401, message: 'Unauthorized' },
  GATEWAY_FLOW_NOT_FOUND: { status: 404, message: 'No flow matches the request.' },
  GATEWAY_CLIENT_CONNECTION_ERROR: { status: 502, message: 'Bad Gateway' },
  GATEWAY_CLIENT_CONNECTION_TIMEOUT: { status: 504, message: 'Gateway Timeout' },
  GATEWAY_NO_ENDPOINT_AVAILABLE: { status: 503, message: 'No endpoint available' },
  GATEWAY_REQUEST_TIMEOUT: { status: 504, message: 'Request timeout' },
  GATEWAY_INTERNAL_ERROR: { status: 500, message: 'Internal Server Error' },
  // Gateway: limits and malformed requests, answered by the gateway's HTTP server (RFC 9110 §15.5).
  GATEWAY_BAD_REQUEST: { status: 400, message: 'Bad Request' },
  GATEWAY_CLIENT_REQUEST_TIMEOUT: { status: 408, message: 'Request Timeout' },
  GATEWAY_REQUEST_BODY_TOO_LARGE: { status: 413, message: 'Content Too Large' },
  GATEWAY_REQUEST_URI_TOO_LONG: { status: 414, message: 'URI Too Long' },
  GATEWAY_REQUEST_HEADERS_TOO_LARGE: { status: 431, message: 'Request Header Fields Too Large' },
  GATEWAY_TOO_MANY_CONNECTIONS: { status: 503, message: 'Too many connections' },
  // Gateway: plan security (Gravitee's keys and messages).
  API_KEY_INVALID: { status: 401, message: 'API Key is not valid or is expired / revoked.' },
  JWT_INVALID_TOKEN: { status: 401, message: 'Unauthorized' },
  OAUTH2_INVALID_ACCESS_TOKEN: { status: 401, message: 'Unauthorized' },
  OAUTH2_INSUFFICIENT_SCOPE: { status: 403, message: 'Forbidden' },
  OAUTH2_SERVER_UNAVAILABLE: { status: 503, message: 'Service Unavailable' },
  GATEWAY_OAUTH2_INVALID_CLIENT: { status: 401, message: 'Unauthorized' },
  CORS_PREFLIGHT_FAILED: { status: 400, message: 'CORS preflight failed' },
  // Management API and storage.
  MANAGEMENT_VALIDATION_FAILED: { status: 400, message: 'Validation failed' },
  MANAGEMENT_BAD_REQUEST: { status: 400, message: 'Bad request' },
  MANAGEMENT_UNAUTHORIZED: { status: 401, message: 'Unauthorized' },
  MANAGEMENT_FORBIDDEN: { status: 403, message: 'Forbidden' },
  MANAGEMENT_NOT_FOUND: { status: 404, message: 'Not found' },
  MANAGEMENT_CONFLICT: { status: 409, message: 'Conflict' },
  MANAGEMENT_PRECONDITION_FAILED: { status: 412, message: 'Precondition failed' },
  MANAGEMENT_PAYLOAD_TOO_LARGE: { status: 413, message: 'Payload too large' },
  MANAGEMENT_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported media type' },
  MANAGEMENT_INTERNAL_ERROR: { status: 500, message: 'Internal server error' },
  STORAGE_NOT_FOUND: { status: 404, message: 'Record not found' },
  STORAGE_CONFLICT: { status: 409, message: 'Record already exists' },
  STORAGE_UNAVAILABLE: { status: 503, message: 'The configuration store is unavailable' },
  DEFINITION_INVALID: { status: 400, message: 'The API definition is invalid' },
  IMPORT_UNSUPPORTED_FORMAT: { status: 400, message: 'The file is not a supported API definition format' },
  CONFIG_INVALID: { status: 500, message: 'The configuration is invalid' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** A problem located in a JSON document, named by its JSON pointer (RFC 6901). */
export interface FieldError {
  /** JSON pointer of the problem, e.g. `/endpointGroups/0/endpoints/0/configuration/target`; `` for the root. */
  path: string;
  message: string;
}

export interface ApimErrorOptions {
  message?: string;
  /** Whether the message may be shown to the client (default: true for 4xx, false for 5xx). */
  expose?: boolean;
  cause?: unknown;
  details?: FieldError[];
}

/**
 * The error type of the platform: a catalogue code, an HTTP status, whether the message is safe to expose, and the
 * field errors of a validation failure.
 *
 * @example
 * throw new ApimError('MANAGEMENT_NOT_FOUND', { message: `API [${id}] cannot be found.` });
 */
export class ApimError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly details: FieldError[];

  constructor(code: ErrorCode, options: ApimErrorOptions = {}) {
    const entry = ERROR_CATALOGUE[code];
    super(options.message ?? entry.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApimError';
    this.code = code;
    this.status = entry.status;
    this.expose = options.expose ?? entry.status < 500;
    this.details = options.details ?? [];
  }
}

/** Thrown by repositories when an update or delete names an unknown id. */
export class NotFoundError extends ApimError {
  constructor(entity: string, id: string) {
    super('STORAGE_NOT_FOUND', { message: `${entity} [${id}] cannot be found.` });
    this.name = 'NotFoundError';
  }
}

/** Thrown by repositories when a create collides with an existing record (same id or unique key). */
export class ConflictError extends ApimError {
  constructor(entity: string, id: string, cause?: unknown) {
    super('STORAGE_CONFLICT', { message: `${entity} [${id}] already exists.`, cause });
    this.name = 'ConflictError';
  }
}

/** A validation failure listing every problem with its JSON pointer. */
export class ValidationError extends ApimError {
  constructor(message: string, details: FieldError[], code: ErrorCode = 'MANAGEMENT_VALIDATION_FAILED') {
    super(code, { message, details });
    this.name = 'ValidationError';
  }
}
