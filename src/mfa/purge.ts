import type { EntityManager } from '@mikro-orm/postgresql';
import { MfaChallenge } from './entities.ts';

/** Deletes second-factor challenges past their expiry: logins abandoned after the password. */
export function purgeExpiredChallenges(em: EntityManager, now: Date): Promise<number> {
  return em.nativeDelete(MfaChallenge, { expiresAt: { $lte: now } });
}
