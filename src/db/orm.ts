import { MikroORM } from '@mikro-orm/postgresql';
import type { AnyEntity, EntityClass } from '@mikro-orm/core';
import { openEmbeddedDatabase, type EmbeddedDatabase, type OutsideClients } from './embedded.ts';
import { loadMigrations } from './migrations.ts';
import { ormConfig } from './orm-config.ts';
import { createStatements, type Statements } from './statements.ts';

export interface Database {
  orm: MikroORM;
  /** Names of the migrations this start applied. */
  appliedMigrations: string[];
  /** Where the data lives, for the start-up banner: the server URL without credentials, or the embedded database's folder. */
  description: string;
  /** Set only when this process serves the (embedded) database: it then sees every change to it. */
  outsideClients: OutsideClients | undefined;
  /** Runs the hot statements: prepared on a server, plain on the embedded database (statements.ts). */
  statements: Statements;
  close(): Promise<void>;
}

const POOL_SIZE = 10;
// Connections the embedded database accepts beyond the pool: operators' CLI runs and psql sessions.
const OPERATOR_CONNECTIONS = 8;

function describeServer(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

/**
 * Connects to `databaseUrl`, or starts the embedded PostgreSQL in `dataDir`, then applies pending
 * migrations (every module's, in timestamp order). With `shareEmbedded` (the operator CLI) an embedded database that a running server
 * holds is reached through that server's socket instead of being refused.
 */
export async function openDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string;
  shareEmbedded?: boolean;
  /** The composed modules' entities and migration folders (src/modules/compose.ts). */
  modules: { entities: readonly EntityClass<AnyEntity>[]; migrationDirs: readonly string[] };
}): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  if (!options.databaseUrl) {
    embedded = await openEmbeddedDatabase(options.dataDir, {
      maxConnections: POOL_SIZE + OPERATOR_CONNECTIONS,
      shareHeldFolder: options.shareEmbedded ?? false,
    });
  }
  let orm: MikroORM;
  let appliedMigrations: string[];
  try {
    orm = await MikroORM.init({
      ...ormConfig(options.modules.entities, await loadMigrations(options.modules.migrationDirs)),
      ...(embedded ? { clientUrl: undefined, ...embedded.socket, user: 'postgres', dbName: 'postgres' } : { clientUrl: options.databaseUrl }),
      pool: { min: 0, max: POOL_SIZE },
      // A server that does not answer within 5 s is down: fail fast. The embedded database runs in
      // this very process (or the server's), so a busy event loop can delay its answer without anything being wrong.
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
    description: embedded ? embedded.description : describeServer(options.databaseUrl!),
    outsideClients: embedded?.outsideClients,
    statements: createStatements(orm, { prepare: !embedded }),
    async close() {
      await orm.close();
      await embedded?.stop();
    },
  };
}
