import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Cleanup } from './cleanup.ts';

/**
 * Runs `body` so that everything it registers with `cleanup` is undone whichever way the run
 * ends: normal end, an error, Ctrl-C, SIGTERM or the time limit. A second signal while cleaning
 * up exits at once. The signal tells long loops to stop early.
 */
export async function runGuarded(
  options: { budgetSeconds: number; log: (message: string) => void },
  body: (cleanup: Cleanup, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const { log } = options;
  const cleanup = new Cleanup();
  const stop = new AbortController();
  const abandon = (reason: string, code: number): void => {
    if (stop.signal.aborted) {
      log('stopping at once; cleanup abandoned');
      process.exit(code);
    }
    stop.abort(new Error(reason));
    log(`${reason}; cleaning up`);
    void cleanup.run().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => abandon('interrupted', 130));
  process.on('SIGTERM', () => abandon('terminated', 143));
  const watchdog = setTimeout(
    () => abandon(`time limit of ${options.budgetSeconds} s exceeded`, 124),
    options.budgetSeconds * 1000,
  );
  try {
    await body(cleanup, stop.signal);
  } catch (error) {
    process.exitCode = 1;
    if (!stop.signal.aborted) log(`failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    clearTimeout(watchdog);
    await cleanup.run();
  }
}

/** Prints the report and writes it to `file` (created with its folder). */
export async function writeReport(report: string, file: string, log: (message: string) => void): Promise<void> {
  process.stdout.write(`\n${report}`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, report);
  log(`report written to ${path.relative(process.cwd(), file) || file}`);
}
