import { FixedError } from '../shared/errors.ts';

/**
 * The browser's answer was not accepted: an unknown or deleted passkey, one of another account
 * than the email's, a failed signature, origin or user-verification check, or a signature counter
 * that went backwards (a cloned authenticator). One answer for all: a caller learns nothing about
 * which accounts or passkeys exist.
 */
export class InvalidPasskeyError extends FixedError('INVALID_PASSKEY', 'The passkey was not accepted') {}

/** The challenge is unknown, was already used, or expired: start again (startPasskeyLogin / startPasskeyRegistration). */
export class InvalidPasskeyChallengeError extends FixedError(
  'INVALID_PASSKEY_CHALLENGE',
  'The passkey challenge is unknown, used or expired; start again',
) {}

/** Production without JANUS_WEBAUTHN_RP_ID: the server offers no passkeys. */
export class PasskeysDisabledError extends FixedError('PASSKEYS_DISABLED', 'Passkeys are not enabled on this server') {}

/** Adding a passkey to an address nobody has confirmed yet, while it could be (mail goes out). */
export class UnverifiedAddressError extends FixedError('EMAIL_NOT_VERIFIED', 'Confirm your email address before adding a passkey') {}
