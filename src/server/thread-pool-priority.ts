import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';

/** What libuv (Node 22+) names the threads of its pool. */
const POOL_THREAD_NAME = 'libuv-worker';

/** Thread ids of this process with that name; none where /proc is not there to tell (not Linux). */
async function poolThreadIds(): Promise<number[]> {
  let tasks: string[];
  try {
    tasks = await readdir('/proc/self/task');
  } catch {
    return [];
  }
  const names = await Promise.all(tasks.map((task) => readFile(`/proc/self/task/${task}/comm`, 'utf8').catch(() => '')));
  return tasks.filter((_, index) => names[index]!.trim() === POOL_THREAD_NAME).map(Number);
}

/**
 * Gives libuv's pool threads, which run bcrypt (src/accounts/passwords.ts) and WebCrypto, a lower
 * CPU priority than the event loop, which answers every request. Where a core is shared between
 * them (a pinned or busy machine), the scheduler otherwise splits it evenly: a burst of logins
 * halved the event loop's time and, measured on one core with the embedded database, `me` p99
 * went from ~9 ms to ~20 ms. With the pool at nice 10 it stayed at ~9 ms; the logins then get
 * what the event loop leaves (1.6 instead of 2.5 per second under a saturating `me` load), and
 * all of the core whenever the loop is idle. Linux keeps a nice value per thread, so the event
 * loop keeps its own.
 *
 * Only ever lowers a priority: raising one needs privileges, and a process started with a higher
 * nice value (`nice -n 15 …`) keeps it on every thread. Returns how many threads were changed.
 */
export async function lowerThreadPoolPriority(nice: number): Promise<number> {
  if (nice === 0) return 0;
  // Reading /proc runs on the pool itself, and libuv starts all of its threads at first use.
  const threads = await poolThreadIds();
  let changed = 0;
  for (const thread of threads) {
    if (os.getPriority(thread) >= nice) continue;
    os.setPriority(thread, nice);
    changed++;
  }
  return changed;
}
