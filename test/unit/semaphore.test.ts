import { describe, expect, it } from 'vitest';
import { createSemaphore, QueueFullError } from '../../src/shared/semaphore.ts';

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

describe('createSemaphore with a bounded queue', () => {
  it('refuses a task at once when maxWaiting tasks already wait, and takes new ones once the queue drains', async () => {
    const limited = createSemaphore(1, { maxWaiting: 2 });
    let release!: () => void;
    const blocker = new Promise<void>((resolve) => (release = resolve));
    const running = limited(() => blocker.then(() => 'first'));
    const queued = [limited(() => Promise.resolve('second')), limited(() => Promise.resolve('third'))];
    await expect(limited(() => Promise.resolve('fourth'))).rejects.toBeInstanceOf(QueueFullError);
    release();
    expect(await Promise.all([running, ...queued])).toEqual(['first', 'second', 'third']);
    await expect(limited(() => Promise.resolve('later'))).resolves.toBe('later');
  });

  it('with maxWaiting 0, runs up to the limit and refuses the rest', async () => {
    const limited = createSemaphore(2, { maxWaiting: 0 });
    let release!: () => void;
    const blocker = new Promise<void>((resolve) => (release = resolve));
    const both = [limited(() => blocker), limited(() => blocker)];
    await expect(limited(() => Promise.resolve())).rejects.toBeInstanceOf(QueueFullError);
    release();
    await Promise.all(both);
  });
});
