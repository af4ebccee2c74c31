import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MailThrottleEntry } from './mail-throttle.entity.ts';

/** The kinds of mail anyone can make Janus send to an address, each throttled on its own. */
export type ThrottledKind = 'verify-email' | 'reset-password' | 'registration-attempt';

/**
 * At most one mail of a kind per address per interval (JANUS_MAIL_MIN_INTERVAL), across every
 * instance: the database decides.
 */
export interface MailThrottle {
  /**
   * Inside the caller's transaction: true, and the address's clock for `kind` restarts, when no
   * mail of that kind was queued for it within the interval; false otherwise (queue nothing).
   */
  admit(em: EntityManager, address: string, kind: ThrottledKind): Promise<boolean>;
  /** Erasure: the address leaves no row behind. */
  forget(em: EntityManager, address: string): Promise<void>;
}

const addressHash = (address: string): string => createHash('sha256').update(address.trim().toLowerCase()).digest('hex');

export function createMailThrottle(options: { minIntervalSeconds: number }): MailThrottle {
  const { minIntervalSeconds } = options;
  return {
    async admit(em, address, kind) {
      if (minIntervalSeconds === 0) return true;
      const now = new Date();
      // One statement: of concurrent requests (on any instance) the row lock lets exactly one
      // insert or move the clock; the others see the new time and get no row back.
      const rows = await em.execute<unknown[]>(
        `insert into mail_throttle (address_hash, kind, last_queued_at) values (?, ?, ?)
         on conflict (address_hash, kind) do update set last_queued_at = excluded.last_queued_at
         where mail_throttle.last_queued_at <= ?
         returning kind`,
        [addressHash(address), kind, now, new Date(now.getTime() - minIntervalSeconds * 1000)],
      );
      return rows.length > 0;
    },
    async forget(em, address) {
      await em.nativeDelete(MailThrottleEntry, { addressHash: addressHash(address) });
    },
  };
}
