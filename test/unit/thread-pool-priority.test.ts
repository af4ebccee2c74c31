import { expect, it } from 'vitest';
import { lowerThreadPoolPriority } from '../../src/server/thread-pool-priority.ts';
import { poolAndMainNice } from '../support/threads.ts';

// One process per test file: these steps change this process's own pool threads, in order.
it.runIf(process.platform === 'linux')(
  'lowers the pool threads to the given nice value, never raises one, and leaves the event loop at its own',
  async () => {
    expect(await lowerThreadPoolPriority(0)).toBe(0);
    const before = await poolAndMainNice('self');
    expect(before.pool.length).toBeGreaterThanOrEqual(1);
    expect(before.pool.every((nice) => nice === 0)).toBe(true);

    expect(await lowerThreadPoolPriority(7)).toBe(before.pool.length);
    expect(await poolAndMainNice('self')).toEqual({ pool: before.pool.map(() => 7), main: before.main });

    // A nicer value already in place stays: raising a priority would need privileges.
    expect(await lowerThreadPoolPriority(3)).toBe(0);
    expect((await poolAndMainNice('self')).pool).toEqual(before.pool.map(() => 7));
  },
);
