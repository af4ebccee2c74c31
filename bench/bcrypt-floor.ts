/**
 * The floor of login and registration: bcrypt's own rate at Janus's cost, with as many
 * operations in flight as libuv has threads (Janus hashes on that pool too). Run as a child on
 * the server core, so it gets the same single core the Janus under test gets.
 *
 *   node bench/bcrypt-floor.ts <compare|hash> <cost> <warm-up s> <measured s>
 *
 * Prints one JSON line: a Measurement (bench/stats.ts), the pool size and the time of one
 * operation alone.
 */
import bcrypt from 'bcrypt';
import { summarise } from './stats.ts';

const PASSWORD = 'correct horse battery';
// libuv's default; Janus inherits the same environment, so the same variable sizes its pool.
const THREADS = Number(process.env.UV_THREADPOOL_SIZE) || 4;

async function main(): Promise<void> {
  const [mode, cost, warmup, seconds] = process.argv.slice(2);
  if (mode !== 'compare' && mode !== 'hash') throw new Error('mode must be compare or hash');
  const rounds = Number(cost);
  const single = performance.now();
  const hash = await bcrypt.hash(PASSWORD, rounds);
  const singleMs = performance.now() - single;
  const once = mode === 'compare' ? () => bcrypt.compare(PASSWORD, hash) : () => bcrypt.hash(PASSWORD, rounds);

  const windowStart = performance.now() + Number(warmup) * 1000;
  const windowEnd = windowStart + Number(seconds) * 1000;
  const latencies: number[] = [];
  // Started together, the operations would share the core evenly and finish together, every
  // time: completions in bursts of THREADS make a short window's count jump by that much.
  const worker = async (index: number): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, index * singleMs));
    while (performance.now() < windowEnd) {
      const started = performance.now();
      await once();
      const finished = performance.now();
      if (finished >= windowStart && finished <= windowEnd) latencies.push(finished - started);
    }
  };
  await Promise.all(Array.from({ length: THREADS }, (_, index) => worker(index)));
  process.stdout.write(`${JSON.stringify({ threads: THREADS, singleMs, ...summarise(latencies, Number(seconds), {}, THREADS) })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bcrypt floor: ${(error as Error).message}\n`);
  process.exit(1);
});
