import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MigrationObject } from '@mikro-orm/core';

// .ts from the source, .js in the build (scripts/build.ts).
const EXTENSION = path.extname(import.meta.filename);
const MIGRATION_FILE = /^Migration\d{14}_\w+$/;

/**
 * Every migration in `dirs` (migrations/ and the modules' folders), as one history ordered by
 * the timestamp in its name: a module's tables come after the users table they refer to.
 * Names are the file names without extension, as MikroORM has always recorded them.
 */
export async function loadMigrations(dirs: readonly string[]): Promise<MigrationObject[]> {
  const files = dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => path.extname(file) === EXTENSION && !file.endsWith('.d.ts') && MIGRATION_FILE.test(path.basename(file, EXTENSION)))
      .map((file) => ({ name: path.basename(file, EXTENSION), file: path.join(dir, file) })),
  );
  files.sort((a, b) => a.name.localeCompare(b.name));
  const migrations: MigrationObject[] = [];
  for (const { name, file } of files) {
    if (migrations.some((migration) => migration.name === name)) throw new Error(`two migrations are named ${name}`);
    const exported = Object.values((await import(pathToFileURL(file).href)) as Record<string, unknown>);
    const migrationClass = exported.find((value): value is MigrationObject['class'] => typeof value === 'function');
    if (!migrationClass) throw new Error(`${file} exports no migration class`);
    migrations.push({ name, class: migrationClass });
  }
  return migrations;
}
