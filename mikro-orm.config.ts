import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './src/db/entities.ts';

const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url));
// .ts from the source, .js when this config runs from the build (scripts/build.ts).
const moduleExtension = path.extname(import.meta.filename);

/**
 * Shared by the app (src/db/orm.ts overrides the connection) and the MikroORM CLI.
 * The CLI needs a PostgreSQL server: `DATABASE_URL=postgres://… npx mikro-orm migration:create`.
 */
export default defineConfig({
  clientUrl: process.env.DATABASE_URL,
  entities,
  extensions: [Migrator],
  migrations: {
    // Relative to this file, not to the working directory the server happens to start in.
    path: migrationsDir,
    pathTs: migrationsDir,
    glob: `!(*.d)${moduleExtension}`,
    emit: 'ts',
    snapshot: false,
    silent: true,
  },
  debug: false,
});
