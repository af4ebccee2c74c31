import { setBounded } from '../shared/bounded-map.ts';
import type { PrincipalRow } from './principal-query.ts';

export type PrincipalLookup = (sessionId: string, userId: string) => Promise<PrincipalRow | undefined>;

export interface PrincipalCache {
  lookup: PrincipalLookup;
  /** Forgets every answer about the user: called by whatever revokes their sessions or changes their role. */
  invalidate(userId: string): void;
  /** Forgets every answer: a client outside this process may have changed anything. */
  invalidateAll(): void;
}

/**
 * The per-request principal lookup, answered from memory until the answer is invalidated
 * explicitly. Only sound where this process sees every change to sessions, users and roles: the
 * services here call `invalidate` for their own changes, and the database tells of every outside
 * client (the embedded database, whose other clients all reach it through this process). Rows
 * added later (a login's new session) need nothing: no token names them before they exist.
 * Misses (no live session) are kept too, for a revoked token presented again and again.
 *
 * An answer is kept only if no invalidation happened while its query ran, so an answer read
 * before a change can never be stored after it. Bounded: when full, the oldest user goes.
 */
export function createPrincipalCache(query: PrincipalLookup, maxUsers: number): PrincipalCache {
  const byUser = new Map<string, Map<string, PrincipalRow | undefined>>();
  let generation = 0;
  return {
    async lookup(sessionId, userId) {
      const sessions = byUser.get(userId);
      if (sessions?.has(sessionId)) return sessions.get(sessionId);
      const started = generation;
      const row = await query(sessionId, userId);
      if (generation === started) {
        // Shared by every request that presents the same session: nobody may change it.
        if (row) {
          Object.freeze(row.role_permissions);
          Object.freeze(row);
        }
        const kept = byUser.get(userId) ?? new Map<string, PrincipalRow | undefined>();
        kept.set(sessionId, row);
        setBounded(byUser, userId, kept, maxUsers);
      }
      return row;
    },
    invalidate(userId) {
      generation++;
      byUser.delete(userId);
    },
    invalidateAll() {
      generation++;
      byUser.clear();
    },
  };
}
