import { PGlite } from '@electric-sql/pglite';

/**
 * How the embedded PostgreSQL starts: PGlite's own parameters (replacing them would break its
 * start) and smaller memory settings than PostgreSQL's defaults. PGlite's WebAssembly memory is
 * filled in at start and never returned: 128 MB of shared buffers alone made up most of an
 * embedded Janus's RSS, and each CREATE INDEX of a migration kept its maintenance_work_mem. A
 * Janus database (users, sessions, roles) stays small, pages that miss the buffers are read from
 * the operating system's file cache, and a server with more memory to give is what DATABASE_URL
 * is for. Each halving of the buffers (16 → 8 → 4 MB) took 5-7 MiB off RSS at start.
 *
 * PGlite runs one backend in single-user mode, yet PostgreSQL sizes its shared lock table, process
 * array and serializable-transaction pools for max_connections (100) backends, and fills them in
 * at start: 4 instead took 4 MiB off the WebAssembly memory in use (17.4 → 13.4 MiB). 4 is the
 * least PostgreSQL accepts beside its 3 superuser-reserved connections; the lock table still holds
 * one transaction creating 2,000 tables (measured), far beyond any migration of Janus's.
 */
const POSTGRES_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  '-c',
  'shared_buffers=4MB',
  '-c',
  'maintenance_work_mem=16MB',
  '-c',
  'max_connections=4',
];

/** Opens (or, in a new folder, creates) the embedded PostgreSQL with the settings above. */
export function openPGlite(dataDir: string): Promise<PGlite> {
  return PGlite.create({ dataDir, startParams: [...POSTGRES_START_PARAMS] });
}
