import os from 'node:os';
import bcrypt from 'bcrypt';
import { createSemaphore } from '../shared/semaphore.ts';
import { fitsBcrypt, normalizePassword } from './validation.ts';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends one compare's worth of time, so an unknown email costs as much as a wrong password. */
  verifyNothing(password: string): Promise<void>;
}

/**
 * bcrypt's async API runs on libuv's thread pool, off the event loop. At most one hash per core
 * runs at a time: more would not finish sooner, and would take the pool threads that verify
 * access tokens, so that every authenticated request waited behind the logins.
 */
export function createPasswordHasher(
  cost: number,
  options: { concurrency?: number; observe?: (seconds: number) => void } = {},
): PasswordHasher {
  const slot = createSemaphore(options.concurrency ?? os.availableParallelism());
  const limited = async <T>(task: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await slot(task);
    } finally {
      options.observe?.((performance.now() - started) / 1000);
    }
  };
  let dummyHash: Promise<string> | undefined;
  const compare = (password: string, hash: string) => limited(() => bcrypt.compare(password, hash));
  return {
    hash: (password) => limited(() => bcrypt.hash(password, cost)),
    verify: compare,
    async verifyNothing(password) {
      dummyHash ??= limited(() => bcrypt.hash('janus-timing-equaliser', cost));
      await compare(password, await dummyHash);
    },
  };
}

/**
 * Whether a password a signed-in user typed to confirm an action is theirs: normalised as it was
 * at registration; one longer than bcrypt reads never matches.
 */
export async function isPasswordOf(passwords: PasswordHasher, raw: string, hash: string): Promise<boolean> {
  const presented = normalizePassword(raw);
  return fitsBcrypt(presented) && (await passwords.verify(presented, hash));
}
