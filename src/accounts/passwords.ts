import bcrypt from 'bcrypt';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends one compare's worth of time, so an unknown email costs as much as a wrong password. */
  verifyNothing(password: string): Promise<void>;
}

/** bcrypt's async API runs on libuv's thread pool, keeping hashing off the event loop. */
export function createPasswordHasher(cost: number): PasswordHasher {
  let dummyHash: Promise<string> | undefined;
  return {
    hash: (password) => bcrypt.hash(password, cost),
    verify: (password, hash) => bcrypt.compare(password, hash),
    async verifyNothing(password) {
      dummyHash ??= bcrypt.hash('janus-timing-equaliser', cost);
      await bcrypt.compare(password, await dummyHash);
    },
  };
}
