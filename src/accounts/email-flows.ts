import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { AuditLog } from '../audit/service.ts';
import { MfaRequiredError, UnauthenticatedError } from '../auth/errors.ts';
import type { MfaService } from '../mfa/service.ts';
import { InvalidTokenError } from '../onetime-tokens/errors.ts';
import type { OneTimeTokens } from '../onetime-tokens/service.ts';
import type { Authentication, TokenService } from '../tokens/service.ts';
import type { AccountMail, Recipient } from './account-mail.ts';
import { EmailAlreadyVerifiedError } from './errors.ts';
import type { PasswordHasher } from './passwords.ts';
import { findUserForUpdate } from './queries.ts';
import type { SessionRule } from './session-rule.ts';
import { User } from './user.entity.ts';
import { tryNormalizeEmail, validatePassword } from './validation.ts';

/** Email verification and password recovery: what the mailed one-time tokens unlock. */
export interface EmailFlows {
  /** Mails a reset link when `email` belongs to an account; the caller learns nothing either way. */
  requestPasswordReset(email: string): Promise<void>;
  /**
   * Sets a new password, ends every session of the user and opens a new one. With a second factor
   * on, nothing changes yet: the answer is MFA_REQUIRED, and verifyMfa applies the reset.
   */
  resetPassword(token: string, newPassword: string): Promise<Authentication>;
  verifyEmail(token: string): Promise<User>;
  /** A new verification mail (the previous link stops working), unless one went out within JANUS_MAIL_MIN_INTERVAL. */
  resendVerification(userId: string): Promise<void>;
}

/**
 * Stands in for the account an unknown email does not have, so that its request does the same
 * work: a random id that matches no user, so that the same statements write nothing.
 */
function decoyFor(email: string | undefined): Recipient {
  return { id: randomUUID(), email: email ?? 'nobody@example.invalid', firstName: 'there' };
}

export function createEmailFlows(deps: {
  orm: MikroORM;
  passwords: Pick<PasswordHasher, 'hash'>;
  tokens: Pick<TokenService, 'startSession' | 'revokeEverything' | 'invalidate'>;
  oneTimeTokens: Pick<OneTimeTokens, 'consume' | 'isLive'>;
  mfa: Pick<MfaService, 'startChallenge'>;
  mail: AccountMail;
  audit: Pick<AuditLog, 'record'>;
  sessionRule: SessionRule;
}): EmailFlows {
  const { orm, passwords, tokens, oneTimeTokens, mfa, mail, audit, sessionRule } = deps;

  return {
    async requestPasswordReset(rawEmail) {
      const email = tryNormalizeEmail(rawEmail);
      const em = orm.em.fork();
      const user = email ? await em.findOne(User, { email }) : null;
      // A token and a mail are made whether or not the account exists, and the same statements
      // run either way (a decoy's id matches no user, so they write nothing but the throttle's
      // row and the audit event): the answer's timing does not tell which emails have accounts
      // (docs/enumeration.md).
      const recipient = user ?? decoyFor(email);
      const prepared = mail.prepareReset(recipient);
      await em.transactional(async (tx) => {
        await mail.queueReset(tx, recipient, prepared);
        audit.record(tx, 'password.reset_requested', user?.id ?? null);
      });
      mail.committed();
    },

    async resetPassword(token, newPassword) {
      const password = validatePassword(newPassword, 'newPassword');
      // Checked before the bcrypt round, so that guessing tokens costs the server no hashing;
      // the conditional update below is what decides between concurrent uses.
      if (!(await oneTimeTokens.isLive(orm.em.fork(), token, 'reset_password'))) throw new InvalidTokenError();
      const passwordHash = await passwords.hash(password);
      const authentication = await orm.em.fork().transactional(async (em) => {
        const userId = await oneTimeTokens.consume(em, token, 'reset_password');
        const user = userId ? await findUserForUpdate(em, userId) : null;
        if (!user) throw new InvalidTokenError();
        // An operator locked the account: a mailbox does not unlock it (the token stays unused).
        // The reset link reached this mailbox: that proves it as well as a verification link.
        const refusal = sessionRule.refusalOf({ disabled: user.disabled, emailVerified: true });
        if (refusal) throw refusal;
        // The mailbox replaces the password, never the second factor: with one on, the account
        // stays as it is (old password, sessions) and verifyMfa applies the reset with a code, so
        // that a mailbox alone cannot lock the owner out.
        if (user.mfaEnabled) return { mfaToken: await mfa.startChallenge(em, user, { pendingPasswordHash: passwordHash }) };
        user.passwordHash = passwordHash;
        user.emailVerified = true;
        await tokens.revokeEverything(em, user);
        audit.record(em, 'password.reset', user.id);
        mail.passwordChanged(em, user);
        return tokens.startSession(em, user);
      });
      mail.committed();
      if ('mfaToken' in authentication) throw new MfaRequiredError(authentication.mfaToken);
      return authentication;
    },

    async verifyEmail(token) {
      const user = await orm.em.fork().transactional(async (em) => {
        const userId = await oneTimeTokens.consume(em, token, 'verify_email');
        const found = userId ? await findUserForUpdate(em, userId) : null;
        if (!found) throw new InvalidTokenError();
        found.emailVerified = true;
        audit.record(em, 'email.verified', found.id);
        return found;
      });
      // `me` shows the principal: the embedded database's cached one must be read again.
      tokens.invalidate(user.id);
      return user;
    },

    async resendVerification(userId) {
      await orm.em.fork().transactional(async (em) => {
        const user = await findUserForUpdate(em, userId);
        if (!user) throw new UnauthenticatedError();
        if (user.emailVerified) throw new EmailAlreadyVerifiedError();
        // Throttled, it answers as usual and sends nothing: the link mailed last still works.
        if (await mail.verification(em, user)) audit.record(em, 'email.verification_sent', user.id);
      });
      mail.committed();
    },
  };
}
