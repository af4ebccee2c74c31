import { execFile } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { tablesChangedBy, type TableVersions } from './data-version.ts';
import { lockFolder } from './lock.ts';
import { openPGlite } from './postgres-settings.ts';

export interface EmbeddedDatabase {
  /** A postgres:// URL served over the wire protocol, for the same driver as a real server. */
  url: string;
  /** Versions of its tables, moved by every change from whichever connection. */
  tableVersions: TableVersions;
  stop(): Promise<void>;
}

/**
 * Counts, per table, the messages the socket server hands PGlite that may change its existing
 * rows (data-version.ts). Every connection's messages reach PGlite one at a time through this one
 * method, so no query runs between a change and its count. The socket server holds the other
 * connections back while one is inside an explicit transaction (BEGIN … COMMIT, how the ORM
 * writes), so the tables a transaction changed are counted when it ends, before anyone else's query
 * can see them. It does not keep an extended-protocol exchange (Parse … Sync) of one connection
 * together (pglite-socket 0.2.17, electric-sql/pglite#1046): Janus sends simple queries only, and
 * such messages count as changing every table.
 */
function countChanges(db: PGlite): TableVersions {
  let anyTable = 0;
  const byTable = new Map<string, number>();
  let pending: Set<string> | 'anything' = new Set();
  // Runs after every message outside a transaction, most of them reads: those leave nothing to
  // publish and allocate nothing.
  const publish = (): void => {
    if (pending === 'anything') {
      anyTable++;
      pending = new Set();
      return;
    }
    for (const table of pending) byTable.set(table, (byTable.get(table) ?? 0) + 1);
    pending.clear();
  };
  const execute = db.execProtocolRawStream.bind(db);
  db.execProtocolRawStream = async (message, options) => {
    try {
      await execute(message, options);
    } finally {
      const changed = tablesChangedBy(message);
      if (changed === 'anything') pending = 'anything';
      else if (pending !== 'anything') for (const table of changed) pending.add(table);
      if (!db.isInTransaction()) publish();
    }
  };
  return {
    versionOf(tables) {
      return { current: () => tables.reduce((sum, table) => sum + (byTable.get(table) ?? 0), anyTable) };
    },
  };
}

const exists = (file: string): Promise<boolean> => access(file).then(() => true, () => false);

/** A new data folder is made by a short-lived child process (create-data-folder.ts says why). */
async function createDataFolderIfNew(pgDataDir: string): Promise<void> {
  if (await exists(path.join(pgDataDir, 'PG_VERSION'))) return;
  // The same extension as this module: .ts from the source, .js from the build (scripts/build.ts).
  const script = path.join(import.meta.dirname, `create-data-folder${path.extname(import.meta.filename)}`);
  try {
    await promisify(execFile)(process.execPath, [script, pgDataDir]);
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`Creating the embedded database in ${pgDataDir} failed: ${stderr?.trim() || (error as Error).message}`);
  }
}

/**
 * PGlite served on a loopback port, so MikroORM's PostgreSQL driver talks to it exactly as it
 * talks to a server. `maxConnections` must cover the ORM pool: the socket server's default of
 * one connection makes a larger pool fail with ECONNRESET.
 */
export async function startEmbeddedDatabase(dataDir: string, maxConnections: number): Promise<EmbeddedDatabase> {
  const pgDataDir = path.join(dataDir, 'pgdata');
  await mkdir(pgDataDir, { recursive: true });
  const unlock = await lockFolder(path.join(dataDir, 'pgdata.lock'), `The embedded database in ${dataDir}`);
  try {
    await createDataFolderIfNew(pgDataDir);
    const db = await openPGlite(pgDataDir);
    const tableVersions = countChanges(db);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    await server.start();
    return {
      url: `postgres://postgres@${server.getServerConn()}/postgres`,
      tableVersions,
      async stop() {
        await server.stop();
        await db.close();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}
