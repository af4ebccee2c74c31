import { DomainError } from '../shared/errors.ts';

/**
 * What is wrong with a bearer token that was sent: `expired` (a token this Janus issued, past its
 * lifetime: refresh) or `invalid` (never issued by this Janus as an access token, or its session
 * was revoked: log in again).
 */
export type TokenProblem = 'expired' | 'invalid';

const TOKEN_PROBLEMS: Readonly<Record<TokenProblem, string>> = {
  expired: 'The access token expired',
  invalid: 'The access token is not valid',
};

/**
 * No caller: without a token, a plain `Bearer realm="janus"` challenge; with one, RFC 6750 §3's
 * `error="invalid_token"` and an `error_description` saying whether it expired or is not valid,
 * which `extensions.reason` repeats on both surfaces.
 */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  override readonly extensions: Readonly<Record<string, unknown>>;
  override readonly headers: Readonly<Record<string, string>>;
  constructor(problem?: TokenProblem) {
    super(problem ? TOKEN_PROBLEMS[problem] : 'A valid access token is required');
    this.extensions = problem ? { reason: problem } : {};
    this.headers = problem
      ? { 'www-authenticate': `Bearer realm="janus", error="invalid_token", error_description="${TOKEN_PROBLEMS[problem]}"` }
      : {};
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor(permission: string) {
    super(`Missing permission: ${permission}`);
  }
}

/**
 * The operation acts as a user (or needs a user's login) and the caller is an OAuth client
 * calling on its own behalf (client_credentials): its token has no user.
 */
export class UserRequiredError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor() {
    super("This operation needs a user's access token: a client's own token (client_credentials) has no user");
  }
}

/**
 * A second factor is needed. From login (with the right password), `mfaToken` completes it
 * through verifyMfa. From an access rule (@requiresMfa), the token's login had none: as RFC 9470's
 * step-up challenge, the client logs in again with its second factor.
 */
export class MfaRequiredError extends DomainError {
  readonly code = 'MFA_REQUIRED';
  override readonly extensions: Readonly<Record<string, unknown>>;
  override readonly headers: Readonly<Record<string, string>>;
  constructor(mfaToken?: string) {
    super(
      mfaToken
        ? 'A second factor is required: complete the login with verifyMfa and the mfaToken'
        : 'This operation requires a login with a second factor: log in again with your authenticator code',
    );
    this.extensions = mfaToken ? { mfaToken } : {};
    this.headers = mfaToken
      ? {}
      : { 'www-authenticate': 'Bearer realm="janus", error="insufficient_user_authentication", error_description="A second factor is required"' };
  }
}

/**
 * The operation needs a recent login (@requiresRecentLogin): the access token's `auth_time` is
 * older than JANUS_REAUTH_MAX_AGE, so a stolen token cannot change how the account is protected.
 * As RFC 9470's step-up challenge with `max_age`, the client logs in again.
 */
export class ReauthenticationRequiredError extends DomainError {
  readonly code = 'REAUTHENTICATION_REQUIRED';
  override readonly headers: Readonly<Record<string, string>>;
  constructor(maxAgeSeconds: number) {
    super(`This operation requires a login within the last ${maxAgeSeconds} seconds: log in again`);
    this.headers = {
      'www-authenticate': `Bearer realm="janus", error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age="${maxAgeSeconds}"`,
    };
  }
}
