import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './src/db/entities.ts';

/**
 * Shared by the app (src/db/orm.ts overrides the connection) and the MikroORM CLI.
 * The CLI needs a PostgreSQL server: `DATABASE_URL=postgres://… npx mikro-orm migration:create`.
 */
export default defineConfig({
  clientUrl: process.env.DATABASE_URL,
  entities,
  extensions: [Migrator],
  migrations: {
    path: './migrations',
    pathTs: './migrations',
    glob: '!(*.d).ts',
    emit: 'ts',
    snapshot: false,
    silent: true,
  },
  debug: false,
});
