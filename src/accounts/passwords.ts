import os from 'node:os';
import bcrypt from 'bcrypt';
import { ServiceUnavailableError } from '../shared/errors.ts';
import { createSemaphore, QueueFullError } from '../shared/semaphore.ts';
import { fitsBcrypt, normalizePassword } from './validation.ts';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends one compare's worth of time, so an unknown email costs as much as a wrong password. */
  verifyNothing(password: string): Promise<void>;
}

export interface PasswordHasherOptions {
  /** Hashes run at once; default one per core. */
  concurrency?: number;
  /**
   * Hashes that may wait for a slot; one more fails at once with SERVICE_UNAVAILABLE and a
   * Retry-After. Default: unbounded.
   */
  maxWaiting?: number;
  /** Told the seconds each hash took, its wait included. */
  observe?: (seconds: number) => void;
}

/**
 * bcrypt's async API runs on libuv's thread pool, off the event loop. At most one hash per core
 * runs at a time: more would not finish sooner, and would take the pool threads that verify
 * access tokens, so that every authenticated request waited behind the logins. The queue in
 * front is bounded too: past it, a burst of logins or password changes is refused at once rather
 * than making every login (the attacker's and everyone else's) wait longer and longer.
 */
export function createPasswordHasher(cost: number, options: PasswordHasherOptions = {}): PasswordHasher {
  const concurrency = options.concurrency ?? os.availableParallelism();
  const slot = createSemaphore(concurrency, { maxWaiting: options.maxWaiting });
  // What one hash took last, to tell a refused client when the queue will have drained.
  let lastRunSeconds = 0;
  const retryAfterSeconds = (): number => Math.max(1, Math.ceil(((options.maxWaiting ?? 0) + concurrency) * lastRunSeconds / concurrency));
  const limited = async <T>(task: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await slot(async () => {
        const running = performance.now();
        try {
          return await task();
        } finally {
          const now = performance.now();
          lastRunSeconds = (now - running) / 1000;
          // Refused hashes took no time worth observing: only those that ran are.
          options.observe?.((now - started) / 1000);
        }
      });
    } catch (error) {
      if (error instanceof QueueFullError) {
        throw new ServiceUnavailableError('Too many password checks in progress; retry shortly', retryAfterSeconds());
      }
      throw error;
    }
  };
  let dummyHash: Promise<string> | undefined;
  const compare = (password: string, hash: string) => limited(() => bcrypt.compare(password, hash));
  return {
    hash: (password) => limited(() => bcrypt.hash(password, cost)),
    verify: compare,
    async verifyNothing(password) {
      // A refused first attempt must not be remembered as the hash.
      dummyHash ??= limited(() => bcrypt.hash('janus-timing-equaliser', cost)).catch((error: unknown) => {
        dummyHash = undefined;
        throw error;
      });
      await compare(password, await dummyHash);
    },
  };
}

/**
 * Whether a typed password is the account's: normalised as it was at registration; one longer
 * than bcrypt reads never matches. An account without a password (`hash` null: signed up at an
 * identity provider) matches nothing, after one compare's worth of time, as a wrong password.
 */
export async function isPasswordOf(passwords: PasswordHasher, raw: string, hash: string | null | undefined): Promise<boolean> {
  const presented = normalizePassword(raw);
  if (!fitsBcrypt(presented)) return false;
  if (!hash) {
    await passwords.verifyNothing(presented);
    return false;
  }
  return passwords.verify(presented, hash);
}
