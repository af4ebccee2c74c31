import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import type { AccountMail } from '../accounts/account-mail.ts';
import { findUserForUpdate } from '../accounts/queries.ts';
import type { SessionRule } from '../accounts/session-rule.ts';
import type { User } from '../accounts/user.entity.ts';
import type { AuditLog } from '../audit/service.ts';
import { UnauthenticatedError } from '../auth/errors.ts';
import { RateLimitedError, type DomainError } from '../shared/errors.ts';
import { hashOpaqueSecret, newOpaqueSecret } from '../shared/opaque-secret.ts';
import type { Authentication, TokenService } from '../tokens/service.ts';
import type { SecretBox } from './encryption.ts';
import { MfaChallenge, RecoveryCode, UserTotp } from './entities.ts';
import {
  InvalidMfaCodeError,
  InvalidMfaTokenError,
  MfaAlreadyEnabledError,
  MfaNotEnabledError,
  MfaNotEnrolledError,
  UnverifiedAddressError,
} from './errors.ts';
import { hashRecoveryCode, newRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.ts';
import { looksLikeTotpCode, matchingStep, newTotpSecret, otpauthUriOf } from './totp.ts';

export interface TotpEnrollment {
  /** Base32, for typing into an authenticator app. */
  secret: string;
  /** otpauth://totp/…, for a QR code. */
  otpauthUri: string;
}

export interface MfaService {
  /**
   * A new pending secret (replacing an unconfirmed one); nothing changes at login until
   * `confirmTotp`. Refused on an unconfirmed address while mail goes out (it could be confirmed):
   * whoever registered someone else's address must not lock its owner out with their own factor.
   */
  enrollTotp(userId: string): Promise<TotpEnrollment>;
  /**
   * Checks a code of the pending secret, turns the second factor on and returns the recovery
   * codes, once. Every other session of the user ends, as after a password change: `sessionId`,
   * the confirming one, stays.
   */
  confirmTotp(userId: string, sessionId: string, code: string): Promise<string[]>;
  /** Turns the second factor off, given a current TOTP code or an unused recovery code (counted as verifyMfa's are). */
  disableTotp(userId: string, code: string): Promise<void>;
  /** Replaces every recovery code with new ones, returned once. */
  regenerateRecoveryCodes(userId: string): Promise<string[]>;
  /**
   * Inside the caller's transaction, for a login whose first step succeeded: the mfaToken that
   * completes it, valid for MFA_TOKEN_TTL_SECONDS and MAX_ATTEMPTS wrong codes. For a password
   * reset, `pendingPasswordHash` is the new password, which only the completion applies.
   * `firstFactor` is how that first step was proven (`amr`, default a password: `pwd`).
   */
  startChallenge(em: EntityManager, user: User, options?: { pendingPasswordHash?: string; firstFactor?: readonly string[] }): Promise<string>;
  /**
   * Completes a login (or a password reset) with a TOTP code or a recovery code: a session proven
   * by password and code. Wrong codes of the account, from every challenge and disableTotp, are
   * counted: over `failureLimit` in its window every code is refused with RATE_LIMITED.
   */
  verify(mfaToken: string, code: string): Promise<Authentication>;
}

export const MFA_TOKEN_TTL_SECONDS = 300;
export const MAX_ATTEMPTS = 5;
/** Longer than any code or recovery code: such input is a wrong code, never sent to a parser or the database. */
const MAX_CODE_LENGTH = 64;

type VerifyOutcome = { ok: true; authentication: Authentication } | { ok: false; error: DomainError };

/** Counts a wrong code, starting a new window when the last one is over; answers the window's count. */
const COUNT_FAILURE_SQL = `
  insert into mfa_failures (user_id, window_started_at, failures) values (?, now(), 1)
  on conflict (user_id) do update set
    window_started_at = case when mfa_failures.window_started_at <= now() - make_interval(secs => ?) then now() else mfa_failures.window_started_at end,
    failures = case when mfa_failures.window_started_at <= now() - make_interval(secs => ?) then 1 else mfa_failures.failures + 1 end
  returning failures`;

/** Whole seconds left of a full window (at least 1), or no row when the account's codes may be tried. */
const LOCKED_FOR_SQL = `
  select greatest(1, ceil(extract(epoch from window_started_at + make_interval(secs => ?) - now())))::int as seconds
  from mfa_failures where user_id = ? and failures >= ? and window_started_at > now() - make_interval(secs => ?)`;

export function createMfaService(deps: {
  orm: MikroORM;
  secrets: SecretBox;
  tokens: Pick<TokenService, 'startSession' | 'invalidate' | 'revokeEverything' | 'revokeOtherSessions'>;
  audit: Pick<AuditLog, 'record'>;
  mail: Pick<AccountMail, 'passwordChanged' | 'secondFactorLocked' | 'committed'>;
  sessionRule: SessionRule;
  /** Wrong codes per account per window (JANUS_MFA_FAILURE_LIMIT). */
  failureLimit: { max: number; windowSeconds: number };
  /** Mail goes out, so an address can be confirmed: enrolling then needs a confirmed one. */
  requireVerifiedAddress: boolean;
  issuer: string;
}): MfaService {
  const { orm, secrets, tokens, audit, mail, sessionRule, failureLimit, requireVerifiedAddress, issuer } = deps;

  async function lockedUser(em: EntityManager, userId: string): Promise<User> {
    const user = await findUserForUpdate(em, userId);
    if (!user) throw new UnauthenticatedError();
    return user;
  }

  /** New recovery codes in place of the old ones; only their hashes are written. */
  async function replaceRecoveryCodes(em: EntityManager, user: User): Promise<string[]> {
    await em.nativeDelete(RecoveryCode, { user: user.id });
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    for (const code of codes) em.create(RecoveryCode, { user, codeHash: hashRecoveryCode(code) });
    return codes;
  }

  /**
   * Accepts a TOTP code of the user's active secret or one unused recovery code, and uses it up.
   * Each use is claimed by a conditional update, the arbiter between concurrent requests: a TOTP
   * step at or before the last accepted one, or a recovery code already used, claims no row.
   */
  async function consumeCode(em: EntityManager, userId: string, rawCode: string): Promise<boolean> {
    const code = rawCode.trim();
    if (code.length === 0 || code.length > MAX_CODE_LENGTH) return false;
    if (looksLikeTotpCode(code)) {
      const totp = await em.findOne(UserTotp, { user: userId });
      if (!totp) return false;
      const secret = secrets.decrypt(totp.secret, userId);
      const step = matchingStep(secret, code, Date.now());
      if (step === undefined) return false;
      // A secret still under a previous encryption key moves to the current one on its next use.
      const rewrap = secrets.isCurrent(totp.secret) ? {} : { secret: secrets.encrypt(secret, userId) };
      const claimed = await em.nativeUpdate(
        UserTotp,
        { user: userId, $or: [{ lastUsedStep: null }, { lastUsedStep: { $lt: step } }] },
        { lastUsedStep: step, ...rewrap },
      );
      return claimed === 1;
    }
    const claimed = await em.nativeUpdate(
      RecoveryCode,
      { user: userId, codeHash: hashRecoveryCode(code), usedAt: null },
      { usedAt: new Date() },
    );
    return claimed === 1;
  }

  /**
   * The one check of an active second factor's code (verifyMfa, disableTotp), under the user's row
   * lock, which queues the account's checks: undefined when the code is accepted and used up, else
   * the refusal. A wrong code is counted in the caller's transaction, which must commit it (return,
   * not throw); the one that fills the window queues the owner's mail there too.
   */
  async function checkCode(em: EntityManager, user: User, code: string): Promise<DomainError | undefined> {
    const { max, windowSeconds } = failureLimit;
    const [locked] = await em.execute<{ seconds: number }[]>(LOCKED_FOR_SQL, [windowSeconds, user.id, max, windowSeconds]);
    // Even a right code: past the limit, guessing must stop whatever it would find (NIST 800-63B 5.2.2).
    if (locked) return new RateLimitedError(locked.seconds);
    if (await consumeCode(em, user.id, code)) return undefined;
    audit.record(em, 'mfa.failure', user.id);
    const [counted] = await em.execute<{ failures: number }[]>(COUNT_FAILURE_SQL, [user.id, windowSeconds, windowSeconds]);
    if (counted?.failures === max) {
      audit.record(em, 'mfa.lockout', user.id);
      mail.secondFactorLocked(em, user, windowSeconds);
    }
    return new InvalidMfaCodeError();
  }

  return {
    async enrollTotp(userId) {
      const secret = newTotpSecret();
      const email = await orm.em.fork().transactional(async (em) => {
        const user = await lockedUser(em, userId);
        if (user.mfaEnabled) throw new MfaAlreadyEnabledError();
        if (requireVerifiedAddress && !user.emailVerified) throw new UnverifiedAddressError();
        const encrypted = secrets.encrypt(secret, user.id);
        const pending = await em.findOne(UserTotp, { user: user.id });
        if (pending) {
          pending.secret = encrypted;
          pending.lastUsedStep = null;
        } else {
          em.create(UserTotp, { user, secret: encrypted });
        }
        audit.record(em, 'mfa.enroll', user.id);
        return user.email;
      });
      return { secret, otpauthUri: otpauthUriOf(secret, issuer, email) };
    },

    async confirmTotp(userId, sessionId, rawCode) {
      const codes = await orm.em.fork().transactional(async (em) => {
        const user = await lockedUser(em, userId);
        if (user.mfaEnabled) throw new MfaAlreadyEnabledError();
        const pending = await em.findOne(UserTotp, { user: user.id });
        if (!pending) throw new MfaNotEnrolledError();
        const step = matchingStep(secrets.decrypt(pending.secret, user.id), rawCode.trim(), Date.now());
        if (step === undefined) throw new InvalidMfaCodeError();
        // The confirming code counts as used: it cannot also complete a login.
        pending.lastUsedStep = step;
        user.mfaEnabled = true;
        const codes = await replaceRecoveryCodes(em, user);
        // A session someone else opened with the password alone must not outlive the new factor.
        await tokens.revokeOtherSessions(em, user.id, sessionId);
        audit.record(em, 'mfa.enable', user.id);
        return codes;
      });
      // The principal shows mfaEnabled: the embedded database's cache must read it again.
      tokens.invalidate(userId);
      return codes;
    },

    async disableTotp(userId, code) {
      const refused = await orm.em.fork().transactional(async (em) => {
        const user = await lockedUser(em, userId);
        if (!user.mfaEnabled) throw new MfaNotEnabledError();
        const refusal = await checkCode(em, user, code);
        if (refusal) return refusal;
        await em.nativeDelete(MfaChallenge, { user: user.id });
        await em.nativeDelete(RecoveryCode, { user: user.id });
        await em.nativeDelete(UserTotp, { user: user.id });
        user.mfaEnabled = false;
        audit.record(em, 'mfa.disable', user.id);
        return undefined;
      });
      mail.committed();
      if (refused) throw refused;
      tokens.invalidate(userId);
    },

    regenerateRecoveryCodes(userId) {
      return orm.em.fork().transactional(async (em) => {
        const user = await lockedUser(em, userId);
        if (!user.mfaEnabled) throw new MfaNotEnabledError();
        const codes = await replaceRecoveryCodes(em, user);
        audit.record(em, 'mfa.recovery_codes', user.id);
        return codes;
      });
    },

    async startChallenge(em, user, { pendingPasswordHash, firstFactor = ['pwd'] } = {}) {
      const now = Date.now();
      const mfaToken = newOpaqueSecret();
      em.create(MfaChallenge, {
        user,
        tokenHash: hashOpaqueSecret(mfaToken),
        pendingPasswordHash: pendingPasswordHash ?? null,
        firstFactor: [...firstFactor],
        expiresAt: new Date(now + MFA_TOKEN_TTL_SECONDS * 1000),
      });
      audit.record(em, 'mfa.challenge', user.id);
      return mfaToken;
    },

    async verify(mfaToken, code) {
      const tokenHash = hashOpaqueSecret(mfaToken);
      const outcome = await orm.em.fork().transactional(async (em): Promise<VerifyOutcome> => {
        // The user row is locked first, as disableTotp and disabling do before they delete
        // challenges (one lock order, no deadlock); it queues every code check of the account. The
        // challenge's own lock then queues concurrent attempts on one mfaToken: each sees the
        // attempts and the completion of those before it.
        const [found] = await em.execute<{ user_id: string }[]>('select user_id from mfa_challenges where token_hash = ?', [tokenHash]);
        const user = found && (await findUserForUpdate(em, found.user_id));
        const challenge = user && (await em.findOne(
          MfaChallenge,
          { tokenHash, expiresAt: { $gt: new Date() } },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        ));
        if (!challenge || !user?.mfaEnabled) return { ok: false, error: new InvalidMfaTokenError() };
        const reset = challenge.pendingPasswordHash;
        // Disabled (or, with JANUS_REQUIRE_VERIFIED_EMAIL, unconfirmed) since the challenge began:
        // no session. A reset's link has proven the mailbox.
        const refusal = sessionRule.refusalOf(reset ? { disabled: user.disabled, emailVerified: true } : user);
        if (refusal) return { ok: false, error: refusal };
        const refused = await checkCode(em, user, code);
        if (refused) {
          // Committed, unlike a thrown error: the counts must survive the failed attempt.
          if (refused instanceof InvalidMfaCodeError && (challenge.attempts += 1) >= MAX_ATTEMPTS) em.remove(challenge);
          return { ok: false, error: refused };
        }
        em.remove(challenge);
        if (reset) {
          // The reset takes effect only now, with the second factor given (until then the owner's
          // password and sessions kept working): as resetPassword does without a second factor.
          user.passwordHash = reset;
          user.emailVerified = true;
          // Logins begun with the old password wait no longer.
          await em.nativeDelete(MfaChallenge, { user: user.id, id: { $ne: challenge.id } });
          await tokens.revokeEverything(em, user);
          audit.record(em, 'password.reset', user.id);
          mail.passwordChanged(em, user);
        }
        audit.record(em, 'mfa.success', user.id);
        audit.record(em, 'login.success', user.id);
        return { ok: true, authentication: await tokens.startSession(em, user, [...challenge.firstFactor, 'otp']) };
      });
      mail.committed();
      if (!outcome.ok) throw outcome.error;
      return outcome.authentication;
    },
  };
}
