import type { DataVersion } from '../db/data-version.ts';
import { setBounded } from '../shared/bounded-map.ts';
import type { PrincipalRow } from './principal-query.ts';

type PrincipalLookup = (sessionId: string, userId: string) => Promise<PrincipalRow | undefined>;

/**
 * The principal lookup, answered from memory for as long as no existing row of the tables it
 * reads has changed. Used on the embedded database, where every change passes through this
 * process: there a repeat of the per-request lookup costs a query on the same core as everything
 * else, and a revocation, a token-version bump or a role change still shows on the very next
 * request because any update or delete in those tables empties the cache. Added rows (a login's
 * new session, a registration's new user) leave it as it is: no token can name them before the
 * transaction that adds them has committed, so no answer here is about them. Misses (no live
 * session) are remembered too, for a revoked token presented again and again.
 *
 * An answer is kept only if the version did not move while its query ran, so an answer read
 * before a change can never be stored after it. Bounded: when full, the oldest entry goes.
 */
export function cacheWhileUnchanged(lookup: PrincipalLookup, dataVersion: DataVersion, maxEntries: number): PrincipalLookup {
  const answers = new Map<string, PrincipalRow | undefined>();
  let answersVersion = dataVersion.current();
  return async (sessionId, userId) => {
    const version = dataVersion.current();
    if (version !== answersVersion) {
      answers.clear();
      answersVersion = version;
    }
    const key = `${sessionId} ${userId}`;
    if (answers.has(key)) return answers.get(key);
    const row = await lookup(sessionId, userId);
    if (dataVersion.current() === version) {
      // Shared by every request that presents the same session: nobody may change it.
      if (row) {
        Object.freeze(row.role_permissions);
        Object.freeze(row);
      }
      setBounded(answers, key, row, maxEntries);
    }
    return row;
  };
}
