import type { EntityManager } from '@mikro-orm/postgresql';
import { OneTimeToken } from './one-time-token.entity.ts';

/** Deletes mailed tokens past their expiry, used or not: none of them can do anything any more. */
export function purgeExpiredOneTimeTokens(em: EntityManager, now: Date): Promise<number> {
  return em.nativeDelete(OneTimeToken, { expiresAt: { $lte: now } });
}
