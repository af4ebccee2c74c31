import { setBounded } from '../shared/bounded-map.ts';
import type { VerifiedToken } from './jwt.ts';

/**
 * Access tokens whose signature and claims were verified, by their exact text. A client sends
 * the same token on every request until it expires, and verifying an Ed25519 signature is the
 * largest single cost of an authenticated request. The result of that check cannot change for
 * the same bytes while the process keeps the same keys, so only the expiry is checked again on a
 * hit. Revocation is not decided here: the auth plugin still reads session and token version
 * from the database on every request.
 *
 * Bounded: when full, the oldest entry goes (a token that is still used is verified once more).
 */
export interface VerifiedTokenCache {
  /** The claims of a token verified before and not expired at `nowSeconds`, else undefined. */
  get(token: string, nowSeconds: number): VerifiedToken | undefined;
  set(token: string, claims: VerifiedToken): void;
}

export function createVerifiedTokenCache(options: { maxEntries: number; clockToleranceSeconds: number }): VerifiedTokenCache {
  const entries = new Map<string, VerifiedToken>();
  return {
    get(token, nowSeconds) {
      const claims = entries.get(token);
      if (!claims) return undefined;
      // jose's own rule: expired once exp <= now - tolerance.
      if (claims.exp <= nowSeconds - options.clockToleranceSeconds) {
        entries.delete(token);
        return undefined;
      }
      return claims;
    },
    set(token, claims) {
      // Shared by every request that presents the token: nobody may change it.
      if ('perms' in claims) {
        Object.freeze(claims.perms);
        Object.freeze(claims.amr);
      }
      setBounded(entries, token, Object.freeze(claims), options.maxEntries);
    },
  };
}
