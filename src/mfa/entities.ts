import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../accounts/user.entity.ts';

/**
 * A user's TOTP secret, pending until confirmed with a code (users.mfa_enabled says which).
 * The secret is stored encrypted (src/mfa/encryption.ts), bound to the user id.
 */
const UserTotpSchema = defineEntity({
  name: 'UserTotp',
  tableName: 'user_totp',
  properties: {
    user: () => p.oneToOne(User).primary().deleteRule('cascade').owner(),
    secret: p.string().length(255),
    // The last time step a code was accepted for: a code of that step or an earlier one is a replay.
    lastUsedStep: p.bigint('number').nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class UserTotp extends UserTotpSchema.class {}
UserTotpSchema.setClass(UserTotp);

/** One single-use recovery code, only as the SHA-256 of its 80 random bits. */
const RecoveryCodeSchema = defineEntity({
  name: 'RecoveryCode',
  tableName: 'mfa_recovery_codes',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    codeHash: p.string().length(64),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class RecoveryCode extends RecoveryCodeSchema.class {}
RecoveryCodeSchema.setClass(RecoveryCode);

/**
 * A login whose password was right, waiting for its second factor: the `mfaToken` (only its
 * SHA-256 here) completes that login and nothing else, until it expires or runs out of attempts.
 * A password reset's challenge also holds the new password's hash, applied only by that code.
 */
const MfaChallengeSchema = defineEntity({
  name: 'MfaChallenge',
  tableName: 'mfa_challenges',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    tokenHash: p.string().length(64).unique(),
    attempts: p.integer().default(0),
    // Set by resetPassword: the account keeps its password (and sessions) until verifyMfa succeeds.
    pendingPasswordHash: p.string().length(60).nullable().hidden(),
    // How the login's first step was proven (`amr`): the session verifyMfa opens adds `otp` to it.
    firstFactor: p.array().default(['pwd']),
    expiresAt: p.datetime().index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class MfaChallenge extends MfaChallengeSchema.class {}
MfaChallengeSchema.setClass(MfaChallenge);

/**
 * Wrong second-factor codes of one account in the current window (JANUS_MFA_FAILURE_LIMIT), from
 * every challenge and disableTotp together: in the database, so the bound holds across instances.
 */
const MfaFailuresSchema = defineEntity({
  name: 'MfaFailures',
  tableName: 'mfa_failures',
  properties: {
    user: () => p.oneToOne(User).primary().deleteRule('cascade').owner(),
    windowStartedAt: p.datetime(),
    failures: p.integer().default(0),
  },
});

export class MfaFailures extends MfaFailuresSchema.class {}
MfaFailuresSchema.setClass(MfaFailures);
