/**
 * Memory settings that only take effect when a process starts, applied by restarting this very
 * process once (execve keeps the pid, so supervisors and signals see one process).
 *
 * Measured on Janus under sustained load (bench/): with V8's defaults the heap grew to ~270 MB
 * for ~50 MB of live objects, because a high allocation rate makes V8 choose a large young
 * generation (16 MB semi-spaces) and grow the old generation by large factors; RSS settled near
 * 350 MB. These caps keep it under 200 MB at a small cost in throughput (more frequent GCs);
 * they are no hard heap limit, so a burst can still use what it needs.
 */
const V8_FLAGS = [
  // Young generation: 3 semi-spaces of at most 8 MB instead of 16 MB.
  '--max-semi-space-size=8',
  // Old generation grows by 1.3x when it fills, instead of up to 4x.
  '--heap-growing-percent=30',
];

// glibc gives each thread that mallocs (libuv's pool runs bcrypt and WebCrypto) an arena of its
// own, which it rarely returns; two arenas in all are plenty for a handful of pool threads.
const ENVIRONMENT = { MALLOC_ARENA_MAX: '2' };

const APPLIED = 'JANUS_MEMORY_SETTINGS_APPLIED';

const flagName = (flag: string): string => flag.split('=')[0]!.replace(/_/g, '-');

/**
 * Restarts the process with the settings above unless it already has them; a flag or variable
 * the operator set is kept as given. Returns only when no restart is needed or possible
 * (process.execve is missing on Windows).
 */
export function applyMemorySettings(): void {
  if (process.env[APPLIED] || typeof process.execve !== 'function') return;
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map(flagName);
  const flags = V8_FLAGS.filter((flag) => !given.includes(flagName(flag)));
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], {
    ...ENVIRONMENT,
    ...process.env,
    [APPLIED]: '1',
  });
}
