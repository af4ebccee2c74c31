/**
 * Creates an embedded database's data folder, then exits: `node create-data-folder.ts <folder>`.
 * Run as a child process (embedded.ts) because PGlite's initdb needs a second WebAssembly
 * instance, the whole new database in memory and a tar copy of it: about 500 MiB at its peak,
 * much of which the process would keep for good.
 */
import { openPGlite } from './postgres-settings.ts';

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: create-data-folder.ts <data folder>');
const db = await openPGlite(dataDir);
await db.close();
