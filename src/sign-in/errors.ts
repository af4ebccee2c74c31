import { FixedError } from '../shared/errors.ts';

/**
 * The sign-in at the provider did not prove anything: an unknown, used or expired state, a state
 * for another provider or purpose, a code the provider refused, or an answer that failed the
 * library's checks (ID token signature, issuer, audience, nonce, PKCE). One answer for all.
 */
export class SignInFailedError extends FixedError('SIGN_IN_FAILED', 'The sign-in could not be completed; start it again') {}

/**
 * An account holds the address the provider gave, and the link cannot be made automatically (one
 * side has not verified it): its owner logs in and links the provider with linkIdentity. Told
 * only to whom the provider proved owns that address.
 */
export class AccountExistsError extends FixedError(
  'ACCOUNT_EXISTS',
  'An account with this email exists: log in to it and link this provider from there',
) {}

/** A new identity whose provider does not vouch for its email: no account is created or linked from it. */
export class ProviderEmailNotVerifiedError extends FixedError(
  'PROVIDER_EMAIL_NOT_VERIFIED',
  'The provider did not give a verified email address for this account',
) {}

/** The provider account is already linked: to another Janus account, or this one has that provider already. */
export class IdentityLinkedError extends FixedError('IDENTITY_LINKED', 'This provider account or provider is already linked') {}
