import { spawnSync } from 'node:child_process';
import os from 'node:os';

/** The core the server under test runs on; the load generator gets the other one. */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

/**
 * Pinning needs taskset and at least two cores; without it the numbers are still produced,
 * only noisier, and the report says so.
 */
export function canPin(): boolean {
  if (os.availableParallelism() < 2) return false;
  return spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** `-a`: every thread of this process, libuv's pool and V8's helpers included. */
export function pinSelf(core: number): void {
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`taskset failed to pin the bench runner: ${result.stderr.trim()}`);
}

/** The command that runs `argv` on `core`: taskset execs it, so the child's pid is the program's own. */
export function pinnedCommand(core: number | undefined, argv: string[]): { command: string; args: string[] } {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('empty command');
  return core === undefined ? { command, args } : { command: 'taskset', args: ['-c', String(core), command, ...args] };
}
