import { FixedError } from '../shared/errors.ts';

/** A wrong, reused or out-of-window TOTP code, or an unknown or used recovery code: one answer for all. */
export class InvalidMfaCodeError extends FixedError('INVALID_MFA_CODE', 'The code is wrong, already used or expired') {}

/** Unknown, expired, completed, or dead after too many wrong codes: the login starts over. */
export class InvalidMfaTokenError extends FixedError('INVALID_MFA_TOKEN', 'The mfaToken is invalid or expired; log in again') {}

export class MfaAlreadyEnabledError extends FixedError('MFA_ALREADY_ENABLED', 'A second factor is already active; disable it before enrolling again') {}

export class MfaNotEnrolledError extends FixedError('MFA_NOT_ENROLLED', 'No TOTP enrollment to confirm; call enrollTotp first') {}

export class MfaNotEnabledError extends FixedError('MFA_NOT_ENABLED', 'No second factor is active on this account') {}

/** enrollTotp on an address nobody has confirmed yet, while it could be (mail goes out). */
export class UnverifiedAddressError extends FixedError('EMAIL_NOT_VERIFIED', 'Confirm your email address before turning on a second factor') {}
