/**
 * Memory settings that only take effect when a process starts, applied by restarting this very
 * process once (execve keeps the pid, so supervisors and signals see one process).
 *
 * Measured on Janus under sustained load (bench/): with V8's defaults the heap grew to ~270 MB
 * for ~50 MB of live objects, because a high allocation rate makes V8 choose a large young
 * generation (16 MB semi-spaces) and grow the old generation by large factors; RSS settled near
 * 350 MB. With a PostgreSQL server these caps keep it under 200 MB at a small cost in throughput
 * (more frequent GCs); they are no hard heap limit, so a burst can still use what it needs.
 */
// Old generation grows by 1.3x when it fills, instead of up to 4x.
const OLD_GENERATION_GROWTH = '--heap-growing-percent=30';

const SERVER_DATABASE_V8_FLAGS = [
  // Young generation: 3 semi-spaces of at most 8 MB instead of 16 MB.
  '--max-semi-space-size=8',
  OLD_GENERATION_GROWTH,
];

/**
 * The embedded database is the small-footprint way to run Janus (`npm install && npm start`), and
 * its hot path leans little on raw speed: the per-request lookup is answered from memory
 * (src/tokens/principal-cache.ts) and logins are bcrypt. So it trades speed for memory, each flag
 * measured on Janus under load (RSS after 200k `me` requests, bench/):
 */
const EMBEDDED_DATABASE_V8_FLAGS = [
  // PGlite is a ~10 MB WebAssembly build of PostgreSQL, and V8's optimising tier (TurboFan)
  // compiling its hot functions took several hundred MiB at a time, a good part of which the
  // process kept (RSS peaks of 800 MiB, ~500 MiB after load). The baseline tier alone runs SQL
  // about half as fast. V8 lists the flag among its testing flags.
  '--liftoff-only',
  // JavaScript optimised on background threads: each compile job's scratch memory came from
  // glibc arenas that kept it (+10-25 MiB under load); compiled on the main thread it is reused.
  '--no-concurrent-recompilation',
  // V8's memory-saving mode: -12 to -20 MiB after the bench's load. It costs throughput twice:
  // its young generation is held at 1 MB semi-spaces whatever the flags below say (a scavenge
  // every ~40 refused requests), and every full GC is a memory-reducing one, which drops object
  // shapes that optimised code was built on, so that code is thrown away and optimised again
  // (--trace-deopt: "embedded weak objects cleared", tens of times a second under load). Without
  // it, 2 MB semi-spaces refused bad tokens ~20% faster and held ~16 MiB more (201 MiB after the
  // bench's load, over the 200 MB target).
  '--optimize-for-size',
  // V8's mid tier (Maglev) doubled that re-optimising, done on the main thread (flag above): each
  // function went through Maglev and then TurboFan again, and compiles under load halved without
  // it. Side by side, on one core: bad tokens refused ~45% faster, `me` ~10%, RSS unchanged within
  // the spread between identical instances.
  '--no-maglev',
  // Half the server mode's young generation, for an operator who turns the flag above off.
  '--max-semi-space-size=4',
  OLD_GENERATION_GROWTH,
];
// An operator who prefers speed overrides any of these, e.g. `node --no-liftoff-only …`.

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
  const wanted = options.embeddedDatabase ? EMBEDDED_DATABASE_V8_FLAGS : SERVER_DATABASE_V8_FLAGS;
  const flags = wanted.filter((flag) => !given.includes(flagName(flag)));
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], {
    ...ENVIRONMENT,
    ...process.env,
    [APPLIED]: '1',
  });
}
