import { composition } from './src/app/composition.ts';
import { loadMigrations } from './src/db/migrations.ts';
import { ormConfig } from './src/db/orm-config.ts';

/**
 * For the MikroORM CLI, which needs a PostgreSQL server (`DATABASE_URL=postgres://… npx
 * mikro-orm migration:up`): it sees every migration the server applies, migrations/ and every
 * module's folder, as one history. A new migration goes in a module's folder:
 * `npm run migration:create -- --module <name> --name <what>` (scripts/migration-create.ts).
 */
export default ormConfig(composition.entities, await loadMigrations(composition.migrationDirs));
