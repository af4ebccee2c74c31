import { DomainError } from '../shared/errors.ts';

export class EmailTakenError extends DomainError {
  readonly code = 'EMAIL_TAKEN';
  constructor() {
    super('An account with this email already exists');
  }
}

/** One message for an unknown email and a wrong password: login must not reveal which accounts exist. */
export class InvalidCredentialsError extends DomainError {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('Invalid email or password');
  }
}

/** Told only to a caller who proved to be the user (right password, live refresh token). */
export class AccountDisabledError extends DomainError {
  readonly code = 'ACCOUNT_DISABLED';
  constructor() {
    super('This account is disabled');
  }
}

/** Only after the right password: an unknown email or a wrong password still get INVALID_CREDENTIALS. */
export class EmailNotVerifiedError extends DomainError {
  readonly code = 'EMAIL_NOT_VERIFIED';
  constructor() {
    super('Confirm your email address before logging in');
  }
}

export class EmailAlreadyVerifiedError extends DomainError {
  readonly code = 'EMAIL_ALREADY_VERIFIED';
  constructor() {
    super('This email address is already confirmed');
  }
}
