import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import { findUser, findUserForUpdate } from '../accounts/queries.ts';
import type { User } from '../accounts/user.entity.ts';
import type { AuditLog } from '../audit/service.ts';
import { UnauthenticatedError } from '../auth/errors.ts';
import { hashOpaqueSecret, newOpaqueSecret } from '../shared/opaque-secret.ts';
import type { Authentication, TokenService } from '../tokens/service.ts';
import type { SecretBox } from './encryption.ts';
import { MfaChallenge, RecoveryCode, UserTotp } from './entities.ts';
import { InvalidMfaCodeError, InvalidMfaTokenError, MfaAlreadyEnabledError, MfaNotEnabledError, MfaNotEnrolledError } from './errors.ts';
import { hashRecoveryCode, newRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.ts';
import { looksLikeTotpCode, matchingStep, newTotpSecret, otpauthUriOf } from './totp.ts';

export interface TotpEnrollment {
  /** Base32, for typing into an authenticator app. */
  secret: string;
  /** otpauth://totp/…, for a QR code. */
  otpauthUri: string;
}

export interface MfaService {
  /** A new pending secret (replacing an unconfirmed one); nothing changes at login until `confirmTotp`. */
  enrollTotp(userId: string): Promise<TotpEnrollment>;
  /** Checks a code of the pending secret, turns the second factor on and returns the recovery codes, once. */
  confirmTotp(userId: string, code: string): Promise<string[]>;
  /** Turns the second factor off, given a current TOTP code or an unused recovery code. */
  disableTotp(userId: string, code: string): Promise<void>;
  /** Replaces every recovery code with new ones, returned once. */
  regenerateRecoveryCodes(userId: string): Promise<string[]>;
  /**
   * Inside the caller's transaction, for a login whose password was right: the mfaToken that
   * completes it, valid for MFA_TOKEN_TTL_SECONDS and MAX_ATTEMPTS wrong codes.
   */
  startChallenge(em: EntityManager, user: User): Promise<string>;
  /** Completes a login with a TOTP code or a recovery code: a session proven by password and code. */
  verify(mfaToken: string, code: string): Promise<Authentication>;
}

export const MFA_TOKEN_TTL_SECONDS = 300;
export const MAX_ATTEMPTS = 5;
/** Longer than any code or recovery code: such input is a wrong code, never sent to a parser or the database. */
const MAX_CODE_LENGTH = 64;

type VerifyOutcome = { ok: true; authentication: Authentication } | { ok: false; error: InvalidMfaCodeError | InvalidMfaTokenError };

export function createMfaService(deps: {
  orm: MikroORM;
  secrets: SecretBox;
  tokens: Pick<TokenService, 'startSession' | 'invalidate'>;
  audit: Pick<AuditLog, 'record'>;
  issuer: string;
}): MfaService {
  const { orm, secrets, tokens, audit, issuer } = deps;

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

  return {
    async enrollTotp(userId) {
      const secret = newTotpSecret();
      const email = await orm.em.fork().transactional(async (em) => {
        const user = await lockedUser(em, userId);
        if (user.mfaEnabled) throw new MfaAlreadyEnabledError();
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

    async confirmTotp(userId, rawCode) {
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
        audit.record(em, 'mfa.enable', user.id);
        return codes;
      });
      // The principal shows mfaEnabled: the embedded database's cache must read it again.
      tokens.invalidate(userId);
      return codes;
    },

    async disableTotp(userId, code) {
      await orm.em.fork().transactional(async (em) => {
        const user = await lockedUser(em, userId);
        if (!user.mfaEnabled) throw new MfaNotEnabledError();
        if (!(await consumeCode(em, user.id, code))) throw new InvalidMfaCodeError();
        await em.nativeDelete(MfaChallenge, { user: user.id });
        await em.nativeDelete(RecoveryCode, { user: user.id });
        await em.nativeDelete(UserTotp, { user: user.id });
        user.mfaEnabled = false;
        audit.record(em, 'mfa.disable', user.id);
      });
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

    async startChallenge(em, user) {
      const now = Date.now();
      const mfaToken = newOpaqueSecret();
      em.create(MfaChallenge, { user, tokenHash: hashOpaqueSecret(mfaToken), expiresAt: new Date(now + MFA_TOKEN_TTL_SECONDS * 1000) });
      audit.record(em, 'mfa.challenge', user.id);
      return mfaToken;
    },

    async verify(mfaToken, code) {
      const outcome = await orm.em.fork().transactional(async (em): Promise<VerifyOutcome> => {
        // The row lock queues concurrent attempts on one mfaToken: each sees the attempts and the
        // completion of those before it.
        const challenge = await em.findOne(
          MfaChallenge,
          { tokenHash: hashOpaqueSecret(mfaToken), expiresAt: { $gt: new Date() } },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        const user = challenge && (await findUser(em, challenge.user.id));
        if (!challenge || !user?.mfaEnabled) return { ok: false, error: new InvalidMfaTokenError() };
        if (!(await consumeCode(em, user.id, code))) {
          // Committed, unlike a thrown error: the count must survive the failed attempt.
          challenge.attempts += 1;
          if (challenge.attempts >= MAX_ATTEMPTS) em.remove(challenge);
          audit.record(em, 'mfa.failure', user.id);
          return { ok: false, error: new InvalidMfaCodeError() };
        }
        em.remove(challenge);
        audit.record(em, 'mfa.success', user.id);
        audit.record(em, 'login.success', user.id);
        return { ok: true, authentication: await tokens.startSession(em, user, ['pwd', 'otp']) };
      });
      if (!outcome.ok) throw outcome.error;
      return outcome.authentication;
    },
  };
}
