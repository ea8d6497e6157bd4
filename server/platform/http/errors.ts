/**
 * The one catalogue of error codes. Each maps to an HTTP status and a Zendesk-shaped body once, here;
 * every body also carries the stable `code` so clients can branch on it.
 */
export const ERRORS = {
  CS_AUTH_REQUIRED: { status: 401, error: "Couldn't authenticate you" },
  CS_CSRF_INVALID: {
    status: 403,
    error: 'InvalidAuthenticityToken',
    description: 'The CSRF token is missing or wrong',
  },
  CS_FORBIDDEN: {
    status: 403,
    error: 'Forbidden',
    description: 'You do not have access to this page. Please contact the account owner of this help desk.',
  },
  CS_NOT_FOUND: { status: 404, error: 'RecordNotFound', description: 'Not found' },
  CS_ACCOUNT_NOT_FOUND: {
    status: 404,
    error: 'RecordNotFound',
    description: 'No Haven account lives at this address',
  },
  CS_ROUTE_NOT_FOUND: { status: 404, error: 'InvalidEndpoint', description: 'Not found' },
  CS_METHOD_NOT_ALLOWED: { status: 405, error: 'MethodNotAllowed', description: 'Method not allowed' },
  CS_CONFLICT: { status: 409, error: 'Conflict', description: 'The record changed since you last read it' },
  CS_UPDATE_CONFLICT: {
    status: 409,
    error: 'UpdateConflict',
    description:
      'Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.',
  },
  CS_INVALID_JSON: { status: 400, error: 'InvalidJSON', description: 'The request body is not valid JSON' },
  CS_BAD_REQUEST: { status: 400, error: 'InvalidRequest', description: 'The request is malformed' },
  CS_PAGINATION_LIMIT: {
    status: 400,
    error: 'InvalidPaginationParameter',
    description:
      'Offset pagination is limited to the first 10,000 records; use cursor pagination (page[size])',
  },
  CS_SEARCH_INVALID: { status: 400, error: 'unavailable', description: 'The search query is not valid' },
  CS_SEARCH_RESULT_LIMIT: {
    status: 422,
    error: 'InvalidPaginationParameter',
    description:
      'Search returns at most 1,000 results; narrow the query, or page through /api/v2/search/export.json',
  },
  CS_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    error: 'UnsupportedMediaType',
    description: 'Send application/json',
  },
  CS_BODY_TOO_LARGE: { status: 413, error: 'RequestTooLarge', description: 'The request body is too large' },
  CS_INVALID: { status: 422, error: 'RecordInvalid', description: 'Record validation errors' },
  CS_IMAP_CONNECTION_FAILED: {
    status: 422,
    error: 'ImapConnectionFailed',
    description: 'Haven could not connect to the mailbox',
  },
  CS_RATE_LIMITED: { status: 429, error: 'TooManyRequests', description: 'Rate limit exceeded' },
  CS_SIGN_IN_LOCKED: {
    status: 429,
    error: 'TooManyRequests',
    description: 'Too many failed sign-ins for this email; try again later',
  },
  CS_UNAVAILABLE: { status: 503, error: 'ServiceUnavailable', description: 'Haven is starting or stopping' },
  CS_INTERNAL: { status: 500, error: 'InternalError', description: 'Something went wrong on our side' },
} as const satisfies Record<string, { status: number; error: string; description?: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Zendesk's 422 details: `{ field: [{ description, error }] }`. */
export type ErrorDetails = Record<string, { description: string; error: string }[]>;

export class HavenError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: ErrorDetails;
  readonly description?: string;
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    options: { description?: string; details?: ErrorDetails; headers?: Record<string, string> } = {},
  ) {
    const entry = ERRORS[code] as { error: string; description?: string };
    super(options.description ?? entry.description ?? entry.error);
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = options.details;
    this.description = options.description;
    this.headers = options.headers;
  }

  body(): Record<string, unknown> {
    const entry = ERRORS[this.code] as { error: string; description?: string };
    const body: Record<string, unknown> = { error: entry.error };
    const description = this.description ?? entry.description;
    if (description) body.description = description;
    if (this.details) body.details = this.details;
    body.code = this.code;
    return body;
  }
}

export const notFound = () => new HavenError('CS_NOT_FOUND');
export const forbidden = (description?: string) => new HavenError('CS_FORBIDDEN', { description });

/** A 422 for one field, in Zendesk's shape. */
export function invalid(field: string, description: string, error = 'InvalidValue'): HavenError {
  return new HavenError('CS_INVALID', { details: { [field]: [{ description, error }] } });
}
