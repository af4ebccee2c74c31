/**
 * `npm run migration:create -- --module <name> --name <what> [--blank]`: writes
 * `Migration<timestamp>_<what>.ts` into the module's migrations folder, with the SQL that takes
 * the schema every migration makes to the one the entities describe (`--blank`: an empty one to
 * fill in by hand). The schema is diffed on a scratch embedded database, made and removed here:
 * no database of yours is read or changed.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { composition } from '../src/app/composition.ts';
import * as modules from '../src/app/modules.ts';
import { openDatabase } from '../src/db/orm.ts';

const root = path.resolve(import.meta.dirname, '..');

function fail(message: string): never {
  process.stderr.write(`migration:create: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({ options: { module: { type: 'string' }, name: { type: 'string' }, blank: { type: 'boolean', default: false } } });
const known = Object.values(modules);
const module = known.find((candidate) => candidate.name === values.module);
if (!module) fail(`--module must name a module of src/app/modules.ts: ${known.map((candidate) => candidate.name).join(', ')}`);
if (!module.migrations) fail(`module ${module.name} has no migrations folder: add \`migrations: new URL('./migrations/', import.meta.url)\` to its module.ts`);
// The loader reads only Migration<timestamp>_<name> files (src/db/migrations.ts).
if (!values.name || !/^\w+$/.test(values.name)) fail('--name must be letters, digits or _ (it ends the file name: Migration<timestamp>_<name>)');

const folder = fileURLToPath(module.migrations);
mkdirSync(folder, { recursive: true });
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'janus-migration-'));
try {
  const database = await openDatabase({ databaseUrl: undefined, dataDir, modules: composition });
  try {
    const created = await database.orm.migrator.create(folder, values.blank, false, values.name);
    process.stdout.write(
      created.fileName
        ? `wrote ${path.relative(root, path.join(folder, created.fileName))}\n`
        : 'no changes: the migrations already make the schema the entities describe (--blank writes an empty migration)\n',
    );
  } finally {
    await database.close();
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
