/**
 * The one table of client-visible error codes and their HTTP status on the REST surface.
 * GraphQL answers 200 and carries the code in `errors[].extensions.code`.
 */
export const ERROR_STATUS = {
  BAD_USER_INPUT: 400,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  INVALID_REFRESH_TOKEN: 401,
  MFA_REQUIRED: 401,
  INVALID_MFA_CODE: 401,
  INVALID_MFA_TOKEN: 401,
  REAUTHENTICATION_REQUIRED: 401,
  INVALID_PASSKEY: 401,
  INVALID_PASSKEY_CHALLENGE: 401,
  INVALID_TOKEN: 400,
  SIGN_IN_FAILED: 401,
  FORBIDDEN: 403,
  ACCOUNT_DISABLED: 403,
  ROLE_NOT_ALLOWED: 403,
  EMAIL_NOT_VERIFIED: 403,
  PROVIDER_EMAIL_NOT_VERIFIED: 403,
  PASSKEYS_DISABLED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  EMAIL_TAKEN: 409,
  ROLE_EXISTS: 409,
  MFA_ALREADY_ENABLED: 409,
  MFA_NOT_ENROLLED: 409,
  MFA_NOT_ENABLED: 409,
  EMAIL_ALREADY_VERIFIED: 409,
  LAST_ROLE_ADMIN: 409,
  ACCOUNT_EXISTS: 409,
  IDENTITY_LINKED: 409,
  LAST_SIGN_IN_METHOD: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}

/**
 * Runs `construct` with stack capture turned off. A stack is what makes an Error expensive (V8
 * walks and records the frames, async ones included), and an answer to the client needs none.
 */
export function withoutStack<T>(construct: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return construct();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * A failure the client caused or may see: its message is safe to show, its code is stable.
 * It carries no stack: it is an expected answer (a bad token, a wrong password), never logged as
 * a fault, and the capture cost more than the rest of rejecting a request.
 */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  /** HTTP headers that go with the error on REST (and on GraphQL's response), e.g. Retry-After. */
  readonly headers: Readonly<Record<string, string>> = {};
  /**
   * What the client needs beside the code to act on the error (e.g. the `mfaToken` of
   * MFA_REQUIRED), sent in `extensions` on both surfaces. `code` always wins over a key of the
   * same name.
   */
  readonly extensions: Readonly<Record<string, unknown>> = {};

  constructor(message?: string) {
    // withoutStack's own steps: TypeScript wants super() at the top level of a constructor whose
    // class initialises properties, so it cannot go inside a callback.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/**
 * The base of an error that is its code and one fixed message, and carries nothing else:
 * `export class EmailTakenError extends FixedError('EMAIL_TAKEN', 'An account …') {}`.
 */
export function FixedError(code: ErrorCode, message: string) {
  return class extends DomainError {
    readonly code = code;
    constructor() {
      super(message);
    }
  };
}

export class InvalidInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}

export class MethodNotAllowedError extends DomainError {
  readonly code = 'METHOD_NOT_ALLOWED';
  override readonly headers: Readonly<Record<string, string>>;
  constructor(allowed: readonly string[]) {
    super(`Method not allowed; use ${allowed.join(' or ')}`);
    this.headers = { allow: allowed.join(', ') };
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(limitBytes: number) {
    super(`Request body exceeds ${limitBytes} bytes`);
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  constructor(accepted: readonly string[]) {
    super(`Unsupported Content-Type; send ${accepted.join(' or ')}`);
  }
}

export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
  override readonly headers: Readonly<Record<string, string>>;
  constructor(retryAfterSeconds: number) {
    super(`Too many attempts; retry in ${retryAfterSeconds} seconds`);
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}

/** The database (or another dependency) cannot be reached: the request failed fast, retry later. */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  override readonly headers: Readonly<Record<string, string>>;
  constructor(message = 'The service is temporarily unavailable; retry shortly', retryAfterSeconds?: number) {
    super(message);
    this.headers = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  }
}
