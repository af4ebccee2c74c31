import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/accounts/passwords.ts';
import { ServiceUnavailableError } from '../../src/shared/errors.ts';

describe('createPasswordHasher with a bounded queue (real bcrypt, cost 4)', () => {
  it('refuses hashes beyond the running and waiting ones with SERVICE_UNAVAILABLE and a Retry-After', async () => {
    const hasher = createPasswordHasher(4, { concurrency: 1, maxWaiting: 1 });
    const accepted = [hasher.hash('first password'), hasher.hash('second password')];
    const refused = hasher.hash('third password');
    await expect(refused).rejects.toBeInstanceOf(ServiceUnavailableError);
    const error = (await refused.catch((caught: unknown) => caught)) as ServiceUnavailableError;
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(Number(error.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    const [first] = await Promise.all(accepted);
    expect(await hasher.verify('first password', first!)).toBe(true);
    expect(await hasher.verify('another password', first!)).toBe(false);
  });

  it('refuses a compare the same way, and does not remember a refused timing-equaliser hash', async () => {
    const hasher = createPasswordHasher(4, { concurrency: 1, maxWaiting: 0 });
    const running = hasher.hash('keeps the only slot');
    await expect(hasher.verifyNothing('anything')).rejects.toBeInstanceOf(ServiceUnavailableError);
    await running;
    await expect(hasher.verifyNothing('anything')).resolves.toBeUndefined();
  });

  it('queues without a bound when none is given', async () => {
    const hasher = createPasswordHasher(4, { concurrency: 1 });
    const hashes = await Promise.all(Array.from({ length: 6 }, (_, i) => hasher.hash(`password ${i}`)));
    expect(hashes).toHaveLength(6);
  });
});
