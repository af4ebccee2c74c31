import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyEntity, EntityClass, MigrationObject } from '@mikro-orm/core';
import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';

const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));
// .ts from the source, .js when this runs from the build (scripts/build.ts).
const moduleExtension = path.extname(import.meta.filename);

/**
 * The ORM settings, shared by the app (src/db/orm.ts adds the connection) and the MikroORM CLI
 * (mikro-orm.config.ts); both pass every folder's migrations (src/db/migrations.ts). `path` is
 * only the CLI's default target: new migrations go in a module's folder
 * (scripts/migration-create.ts passes it).
 */
export function ormConfig(entities: readonly EntityClass<AnyEntity>[], migrationsList?: MigrationObject[]) {
  return defineConfig({
    clientUrl: process.env.DATABASE_URL,
    entities: [...entities],
    extensions: [Migrator],
    migrations: {
      // Relative to this file, not to the working directory the server happens to start in.
      path: migrationsDir,
      pathTs: migrationsDir,
      glob: `!(*.d)${moduleExtension}`,
      ...(migrationsList ? { migrationsList } : {}),
      emit: 'ts',
      snapshot: false,
      silent: true,
    },
    debug: false,
  });
}
