import { describe, expect, it } from 'vitest';
import { createSemaphore } from '../../src/shared/semaphore.ts';

describe('createSemaphore', () => {
  it('never runs more than the limit at once and runs every task', async () => {
    const limited = createSemaphore(2);
    let running = 0;
    let peak = 0;
    const task = (value: number) =>
      limited(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return value;
      });
    const results = await Promise.all([1, 2, 3, 4, 5].map(task));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('frees its slot when a task fails', async () => {
    const limited = createSemaphore(1);
    await expect(limited(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limited(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
