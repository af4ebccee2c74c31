import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../src/ratelimit/memory-store.ts';

const bucket = (key: string, max = 3, windowMs = 10_000) => ({ key, max, windowMs });

describe('the in-memory rate-limit store', () => {
  it('admits max calls per sliding window, then answers the time until the oldest leaves it', async () => {
    const store = new MemoryRateLimitStore();
    expect(await store.hit([bucket('a')], 0)).toBe(0);
    expect(await store.hit([bucket('a')], 1_000)).toBe(0);
    expect(await store.hit([bucket('a')], 2_000)).toBe(0);
    expect(await store.hit([bucket('a')], 3_000)).toBe(7_000);
    // The first call leaves the window at 10 s: one more is admitted, then 1 s until the second leaves.
    expect(await store.hit([bucket('a')], 10_000)).toBe(0);
    expect(await store.hit([bucket('a')], 10_000)).toBe(1_000);
  });

  it('records a call in none of its buckets when one is full, and answers the longest wait', async () => {
    const store = new MemoryRateLimitStore();
    for (let at = 0; at < 3; at++) expect(await store.hit([bucket('address')], at)).toBe(0);
    expect(await store.hit([bucket('address'), bucket('email', 5)], 100)).toBe(9_900);
    // The email's bucket was not spent by the refused call: five calls still fit.
    for (let i = 0; i < 5; i++) expect(await store.hit([bucket('email', 5)], 200)).toBe(0);
    expect(await store.hit([bucket('email', 5)], 200)).toBe(10_000);
  });

  it('keeps at most maxEntries keys, dropping the stalest', async () => {
    const store = new MemoryRateLimitStore(2);
    await store.hit([bucket('first', 1)], 0);
    await store.hit([bucket('second', 1)], 1);
    await store.hit([bucket('third', 1)], 2);
    expect(await store.hit([bucket('first', 1)], 3)).toBe(0);
    expect(await store.hit([bucket('third', 1)], 4)).toBeGreaterThan(0);
  });
});
