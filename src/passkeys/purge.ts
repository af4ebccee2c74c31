import type { EntityManager } from '@mikro-orm/postgresql';
import { PasskeyChallenge } from './entities.ts';

/** Deletes passkey challenges past their expiry: registrations and logins the browser never finished. */
export function purgeExpiredPasskeyChallenges(em: EntityManager, now: Date): Promise<number> {
  return em.nativeDelete(PasskeyChallenge, { expiresAt: { $lte: now } });
}
