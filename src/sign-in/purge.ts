import type { EntityManager } from '@mikro-orm/postgresql';
import { SignInState } from './entities.ts';

/** Deletes sign-ins at a provider that were started and never completed. */
export function purgeExpiredSignIns(em: EntityManager, now: Date): Promise<number> {
  return em.nativeDelete(SignInState, { expiresAt: { $lte: now } });
}
