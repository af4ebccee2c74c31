import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../accounts/user.entity.ts';

/**
 * A passkey (a WebAuthn credential) of a user: what verifies its signatures, and what it told us
 * about itself at registration and at each use.
 */
const PasskeySchema = defineEntity({
  name: 'Passkey',
  tableName: 'passkeys',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    // Erased with the account (the module's onUserErased runs first; the cascade is the backstop).
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    /** The authenticator's credential id, base64url: how a login finds the passkey. */
    credentialId: p.string().length(1366).unique(),
    /** The COSE public key, base64url. */
    publicKey: p.text(),
    /** The authenticator's signature counter: each use must raise it, unless it stays 0. */
    counter: p.bigint('number'),
    transports: p.array().nullable(),
    /** `singleDevice` or `multiDevice` (backup eligible: a synced passkey); fixed at registration. */
    deviceType: p.string().length(16),
    /** Whether it is backed up (synced) now, as its last use said. */
    backedUp: p.boolean(),
    name: p.string().length(100),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
  },
});

export class Passkey extends PasskeySchema.class {}
PasskeySchema.setClass(Passkey);

/**
 * A challenge handed to a browser, waiting for its signed answer: single use (deleted by the
 * statement that checks it) and short-lived. A registration's belongs to the user registering; a
 * login's to the account the email named, or to nobody (a usernameless login, or an email with no
 * passkey: the answer looks the same).
 */
const PasskeyChallengeSchema = defineEntity({
  name: 'PasskeyChallenge',
  tableName: 'passkey_challenges',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    purpose: p.string().length(16),
    user: () => p.manyToOne(User).deleteRule('cascade').nullable().index(),
    /** base64url, as the options carried it and the browser's clientDataJSON repeats it. */
    challenge: p.string().length(128),
    expiresAt: p.datetime().index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class PasskeyChallenge extends PasskeyChallengeSchema.class {}
PasskeyChallengeSchema.setClass(PasskeyChallenge);
