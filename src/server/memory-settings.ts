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

/**
 * With the embedded database only: PGlite is a ~10 MB WebAssembly build of PostgreSQL, and V8's
 * optimising tier (TurboFan) compiling its hot functions took several hundred MiB at a time, a
 * good part of which the process kept (measured: RSS peaks of 800 MiB, ~500 MiB after load).
 * The baseline tier alone runs SQL about half as fast, which an embedded Janus hardly notices: its
 * per-request lookup is answered from memory (src/tokens/principal-cache.ts) and logins are bcrypt.
 * V8 lists the flag among its testing flags; an operator who prefers speed gives --no-liftoff-only.
 */
const EMBEDDED_V8_FLAGS = ['--liftoff-only'];

// glibc gives each thread that mallocs (libuv's pool runs bcrypt and WebCrypto) an arena of its
// own, which it rarely returns; two arenas in all are plenty for a handful of pool threads.
const ENVIRONMENT = { MALLOC_ARENA_MAX: '2' };

const APPLIED = 'JANUS_MEMORY_SETTINGS_APPLIED';

/** A flag's name, the same for `--flag`, `--no-flag`, `--flag=value` and `--flag_name`. */
const flagName = (flag: string): string => flag.split('=')[0]!.replace(/_/g, '-').replace(/^--no-/, '--');

/**
 * Restarts the process with the settings above unless it already has them; a flag or variable
 * the operator set is kept as given. Returns only when no restart is needed or possible
 * (process.execve is missing on Windows).
 */
export function applyMemorySettings(options: { embeddedDatabase: boolean }): void {
  if (process.env[APPLIED] || typeof process.execve !== 'function') return;
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map(flagName);
  const wanted = options.embeddedDatabase ? [...V8_FLAGS, ...EMBEDDED_V8_FLAGS] : V8_FLAGS;
  const flags = wanted.filter((flag) => !given.includes(flagName(flag)));
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], {
    ...ENVIRONMENT,
    ...process.env,
    [APPLIED]: '1',
  });
}
