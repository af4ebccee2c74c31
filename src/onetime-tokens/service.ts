import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hashOpaqueSecret, newOpaqueSecret } from '../shared/opaque-secret.ts';
import { OneTimeToken, type TokenPurpose } from './one-time-token.entity.ts';

/** A fresh token: the secret to mail, and what the database keeps of it. */
export interface NewToken {
  secret: string;
  hash: string;
}

export interface OneTimeTokens {
  /** How long a token of each purpose lives (the mails say it). */
  readonly ttlSeconds: Readonly<Record<TokenPurpose, number>>;
  /** A new secret and its hash, written nowhere yet: an unknown email's reset request makes one too. */
  generate(): NewToken;
  /**
   * Inside the caller's transaction: stores `token` for `userId` and `purpose`, replacing the
   * user's unused tokens of that purpose (only the newest mail works). One statement, which
   * stores nothing when no user has that id: a reset request for an unknown address runs it too.
   */
  store(em: EntityManager, userId: string, purpose: TokenPurpose, token: NewToken): Promise<void>;
  /**
   * Inside the caller's transaction: marks the token used and returns its user, or null when it
   * is unknown, of another purpose, expired or used. One conditional update decides, so of
   * concurrent uses exactly one gets the user.
   */
  consume(em: EntityManager, secret: string, purpose: TokenPurpose): Promise<string | null>;
  /** Whether `consume` would succeed now, without using the token. */
  isLive(em: EntityManager, secret: string, purpose: TokenPurpose): Promise<boolean>;
}

/** Longer than any token this service issues (43 characters): not worth hashing or a query. */
const MAX_SECRET_LENGTH = 128;

export function createOneTimeTokens(options: { ttlSeconds: Readonly<Record<TokenPurpose, number>> }): OneTimeTokens {
  return {
    ttlSeconds: options.ttlSeconds,

    generate() {
      const secret = newOpaqueSecret();
      return { secret, hash: hashOpaqueSecret(secret) };
    },

    async store(em, userId, purpose, token) {
      // The user may be new in this unit of work: its row must exist before the token refers to it.
      await em.flush();
      const now = new Date();
      // The delete sees the table as it was before this statement: it never removes the new row.
      await em.execute(
        `with replaced as (delete from one_time_tokens where user_id = ? and purpose = ? and used_at is null)
         insert into one_time_tokens (id, user_id, purpose, token_hash, expires_at, created_at)
         select ?, id, ?, ?, ?, ? from users where id = ?`,
        [userId, purpose, randomUUID(), purpose, token.hash, new Date(now.getTime() + options.ttlSeconds[purpose] * 1000), now, userId],
        'run',
      );
    },

    async consume(em, secret, purpose) {
      if (secret.length > MAX_SECRET_LENGTH) return null;
      const rows = await em.execute<{ user_id: string }[]>(
        `update one_time_tokens set used_at = ?
         where token_hash = ? and purpose = ? and used_at is null and expires_at > ?
         returning user_id`,
        [new Date(), hashOpaqueSecret(secret), purpose, new Date()],
      );
      return rows[0]?.user_id ?? null;
    },

    async isLive(em, secret, purpose) {
      if (secret.length > MAX_SECRET_LENGTH) return false;
      const now = new Date();
      const live = await em.count(OneTimeToken, { tokenHash: hashOpaqueSecret(secret), purpose, usedAt: null, expiresAt: { $gt: now } });
      return live > 0;
    },
  };
}
