import { fileURLToPath } from 'node:url';
import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './src/db/entities.ts';

const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url));

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
    glob: '!(*.d).ts',
    emit: 'ts',
    snapshot: false,
    silent: true,
  },
  debug: false,
});
