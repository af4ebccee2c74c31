import { Store, type Identity } from '@envelop/rate-limiter';

interface Entry {
  timestamps: readonly number[];
  expiresAt: number;
}

const DEFAULT_WINDOW_MS = 60_000;

/**
 * Call timestamps per identity, in this process, forgotten once their window has passed.
 * (The library's own InMemoryStore never forgets and copies its whole state on every write.)
 * Past `maxEntries` the oldest identities are dropped, so a flood of distinct clients cannot
 * grow memory without bound.
 */
export class ExpiringMemoryStore extends Store {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private writesSinceSweep = 0;

  constructor(maxEntries = 100_000) {
    super();
    this.maxEntries = maxEntries;
  }

  setForIdentity(identity: Identity, timestamps: readonly number[], windowMs?: number): void {
    const key = `${identity.contextIdentity}\n${identity.fieldIdentity}`;
    this.entries.delete(key);
    this.entries.set(key, { timestamps, expiresAt: Math.max(0, ...timestamps) + (windowMs ?? DEFAULT_WINDOW_MS) });
    if (++this.writesSinceSweep >= 1000 || this.entries.size > this.maxEntries) this.sweep();
  }

  getForIdentity(identity: Identity): readonly number[] {
    const entry = this.entries.get(`${identity.contextIdentity}\n${identity.fieldIdentity}`);
    return entry && entry.expiresAt > Date.now() ? entry.timestamps : [];
  }

  private sweep(): void {
    this.writesSinceSweep = 0;
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    // Map iteration follows insertion order and writes re-insert: the first keys are the stalest.
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
