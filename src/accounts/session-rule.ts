import { AccountDisabledError, EmailNotVerifiedError } from './errors.ts';

/** What the rule reads of a user, as an entity or a row carries it. */
export interface SessionHolder {
  disabled: boolean;
  emailVerified: boolean;
}

/**
 * The one rule deciding whether a user may hold a session: login, refresh, a password reset,
 * verifyMfa and the per-request principal lookup all ask it. The user exists (the callers' own
 * lookups), is not disabled, and has confirmed their address when JANUS_REQUIRE_VERIFIED_EMAIL is
 * on. It is written twice, once for entities and once as SQL for the statements that must stay
 * one round trip (principal-query.ts, rotation.ts): both live here, side by side.
 */
export interface SessionRule {
  /** Why `user` may not hold a session, or undefined when they may. */
  refusalOf(user: SessionHolder): AccountDisabledError | EmailNotVerifiedError | undefined;
  /** The same rule as a SQL condition on the users table under `alias`. */
  sql(alias: string): string;
  /** Unconfirmed addresses hold no session: registration then opens none (docs/enumeration.md). */
  readonly verifiedEmailRequired: boolean;
}

/** The audit event of a login the rule refused, whichever way the user came in. */
export function loginRefusalEvent(refusal: AccountDisabledError | EmailNotVerifiedError): 'login.disabled' | 'login.failure' {
  return refusal instanceof AccountDisabledError ? 'login.disabled' : 'login.failure';
}

export function createSessionRule(options: { requireVerifiedEmail: boolean }): SessionRule {
  const { requireVerifiedEmail } = options;
  return {
    refusalOf(user) {
      if (user.disabled) return new AccountDisabledError();
      if (requireVerifiedEmail && !user.emailVerified) return new EmailNotVerifiedError();
      return undefined;
    },
    // Constant per configuration: the statements stay fixed texts (prepared once per connection).
    sql: (alias) => (requireVerifiedEmail ? `not ${alias}.disabled and ${alias}.email_verified` : `not ${alias}.disabled`),
    verifiedEmailRequired: requireVerifiedEmail,
  };
}
