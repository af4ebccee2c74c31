import { PGlite } from '@electric-sql/pglite';

/**
 * How the embedded PostgreSQL starts: PGlite's own parameters (replacing them would break its
 * start) and smaller memory settings than PostgreSQL's defaults. PGlite's WebAssembly memory is
 * filled in at start and never returned: 128 MB of shared buffers alone made up most of an
 * embedded Janus's RSS, and each CREATE INDEX of a migration kept its maintenance_work_mem. A
 * Janus database (users, sessions, roles) stays small, pages that miss the buffers are read from
 * the operating system's file cache, and a server with more memory to give is what DATABASE_URL
 * is for. Each halving of the buffers (16 → 8 → 4 MB) took 5-7 MiB off RSS at start.
 */
const POSTGRES_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  '-c',
  'shared_buffers=4MB',
  '-c',
  'maintenance_work_mem=16MB',
];

/** Opens (or, in a new folder, creates) the embedded PostgreSQL with the settings above. */
export function openPGlite(dataDir: string): Promise<PGlite> {
  return PGlite.create({ dataDir, startParams: [...POSTGRES_START_PARAMS] });
}
