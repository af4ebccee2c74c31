import { FixedError } from '../shared/errors.ts';

export class EmailTakenError extends FixedError('EMAIL_TAKEN', 'An account with this email already exists') {}

/** One message for an unknown email and a wrong password: login must not reveal which accounts exist. */
export class InvalidCredentialsError extends FixedError('INVALID_CREDENTIALS', 'Invalid email or password') {}

/** Told only to a caller who proved to be the user (right password, live refresh token). */
export class AccountDisabledError extends FixedError('ACCOUNT_DISABLED', 'This account is disabled') {}

/** Only after the right password: an unknown email or a wrong password still get INVALID_CREDENTIALS. */
export class EmailNotVerifiedError extends FixedError('EMAIL_NOT_VERIFIED', 'Confirm your email address before logging in') {}

export class EmailAlreadyVerifiedError extends FixedError('EMAIL_ALREADY_VERIFIED', 'This email address is already confirmed') {}

/**
 * Removing it (an identity at a provider, a passkey) would leave the account with no way to sign
 * in: every module's `signInMethods` counted together (src/modules/module.ts).
 */
export class LastSignInMethodError extends FixedError(
  'LAST_SIGN_IN_METHOD',
  'This is the last way to sign in to the account: set a password or add another way first',
) {}
