/** A task refused because the queue in front of a semaphore was full. */
export class QueueFullError extends Error {
  constructor() {
    super('Too many tasks waiting');
  }
}

export interface SemaphoreOptions {
  /**
   * How many tasks may wait for a slot; one more is refused with QueueFullError at once, so that
   * a burst costs callers a fast refusal instead of a wait that grows with the burst.
   * Unset: unbounded.
   */
  maxWaiting?: number;
}

/** Runs at most `limit` of the given tasks at once; the others wait their turn, first come first served. */
export function createSemaphore(limit: number, options: SemaphoreOptions = {}): <T>(task: () => Promise<T>) => Promise<T> {
  const maxWaiting = options.maxWaiting ?? Infinity;
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    running--;
    waiting.shift()?.();
  };
  return async (task) => {
    if (running >= limit) {
      if (waiting.length >= maxWaiting) throw new QueueFullError();
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
