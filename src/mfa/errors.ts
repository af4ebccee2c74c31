import { DomainError } from '../shared/errors.ts';

/** A wrong, reused or out-of-window TOTP code, or an unknown or used recovery code: one answer for all. */
export class InvalidMfaCodeError extends DomainError {
  readonly code = 'INVALID_MFA_CODE';
  constructor() {
    super('The code is wrong, already used or expired');
  }
}

/** Unknown, expired, completed, or dead after too many wrong codes: the login starts over. */
export class InvalidMfaTokenError extends DomainError {
  readonly code = 'INVALID_MFA_TOKEN';
  constructor() {
    super('The mfaToken is invalid or expired; log in again');
  }
}

export class MfaAlreadyEnabledError extends DomainError {
  readonly code = 'MFA_ALREADY_ENABLED';
  constructor() {
    super('A second factor is already active; disable it before enrolling again');
  }
}

export class MfaNotEnrolledError extends DomainError {
  readonly code = 'MFA_NOT_ENROLLED';
  constructor() {
    super('No TOTP enrollment to confirm; call enrollTotp first');
  }
}

export class MfaNotEnabledError extends DomainError {
  readonly code = 'MFA_NOT_ENABLED';
  constructor() {
    super('No second factor is active on this account');
  }
}
