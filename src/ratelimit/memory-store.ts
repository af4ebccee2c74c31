import type { Count, RateLimitStore } from './store.ts';

interface Entry {
  /** The admitted calls' times, oldest first; never more than the bucket's `max`. */
  hits: number[];
  /** When the newest hit leaves the window: the entry may be forgotten from then on. */
  expiresAt: number;
}

const SWEEP_EVERY_WRITES = 1000;

/**
 * The counters of one process, with the semantics of the Redis store's script. Each key holds at
 * most `max` times (refused calls are not recorded), and past `maxEntries` the stalest keys are
 * dropped, so a flood of distinct clients cannot grow memory without bound.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private writesSinceSweep = 0;

  constructor(maxEntries = 100_000) {
    this.maxEntries = maxEntries;
  }

  /** Synchronous inside: the check and the write cannot interleave with another call's. */
  hit(counts: readonly Count[], now = Date.now()): Promise<number> {
    let waitMs = 0;
    const found = counts.map((count) => {
      const entry = this.entries.get(count.key);
      if (!entry) return undefined;
      const hits = entry.hits.filter((at) => at > now - count.windowMs);
      if (hits.length >= count.max) waitMs = Math.max(waitMs, hits[hits.length - count.max]! + count.windowMs - now);
      return hits;
    });
    if (waitMs > 0) return Promise.resolve(waitMs);
    counts.forEach((count, i) => {
      // Re-inserted, so that Map order stays stalest first for the sweep.
      this.entries.delete(count.key);
      this.entries.set(count.key, { hits: [...(found[i] ?? []), now].slice(-count.max), expiresAt: now + count.windowMs });
    });
    this.writesSinceSweep += counts.length;
    if (this.writesSinceSweep >= SWEEP_EVERY_WRITES || this.entries.size > this.maxEntries) this.sweep(now);
    return Promise.resolve(0);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private sweep(now: number): void {
    this.writesSinceSweep = 0;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
