import { MikroORM } from '@mikro-orm/postgresql';
import baseConfig from '../../mikro-orm.config.ts';
import type { TableVersions } from './data-version.ts';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded.ts';

export interface Database {
  orm: MikroORM;
  /** Names of the migrations this start applied. */
  appliedMigrations: string[];
  /** Where the data lives, for the start-up banner: the server URL without credentials, or "embedded". */
  description: string;
  /** Only for the embedded database, the one whose every change passes through this process. */
  tableVersions: TableVersions | undefined;
  close(): Promise<void>;
}

const POOL_SIZE = 10;

function describeServer(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

/** Connects to `databaseUrl`, or starts the embedded PostgreSQL in `dataDir`, then applies pending migrations. */
export async function openDatabase(options: { databaseUrl: string | undefined; dataDir: string }): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  if (!options.databaseUrl) embedded = await startEmbeddedDatabase(options.dataDir, POOL_SIZE + 2);
  const clientUrl = options.databaseUrl ?? embedded!.url;
  let orm: MikroORM;
  let appliedMigrations: string[];
  try {
    orm = await MikroORM.init({
      ...baseConfig,
      clientUrl,
      pool: { min: 0, max: POOL_SIZE },
      // A server that does not answer within 5 s is down: fail fast. The embedded database runs in
      // this very process, so a busy event loop can delay its answer without anything being wrong.
      driverOptions: { connectionTimeoutMillis: embedded ? 30_000 : 5_000 },
    });
    appliedMigrations = (await orm.migrator.up()).map((migration) => migration.name);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return {
    orm,
    appliedMigrations,
    description: embedded ? `embedded PostgreSQL in ${options.dataDir}` : describeServer(clientUrl),
    tableVersions: embedded?.tableVersions,
    async close() {
      await orm.close();
      await embedded?.stop();
    },
  };
}
