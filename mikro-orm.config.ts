import { composition } from './src/app/composition.ts';
import { ormConfig } from './src/db/orm-config.ts';

/**
 * For the MikroORM CLI, which needs a PostgreSQL server:
 * `DATABASE_URL=postgres://… npx mikro-orm migration:create`. It reads the migrations of
 * migrations/ only; the server applies every module's (src/db/migrations.ts).
 */
export default ormConfig(composition.entities);
