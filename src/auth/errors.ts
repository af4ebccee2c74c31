import { DomainError } from '../shared/errors.ts';

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'A valid access token is required') {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor(permission: string) {
    super(`Missing permission: ${permission}`);
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
