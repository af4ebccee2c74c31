import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mayChangeData, type DataVersion } from './data-version.ts';
import { lockFolder } from './lock.ts';

export interface EmbeddedDatabase {
  /** A postgres:// URL served over the wire protocol, for the same driver as a real server. */
  url: string;
  /** Changes after every message that may have changed data, from whichever connection. */
  dataVersion: DataVersion;
  stop(): Promise<void>;
}

/**
 * Counts the messages the socket server hands PGlite that may change data. Every connection's
 * messages reach PGlite one at a time through this one method, and the socket server holds the
 * others back while a connection is inside a transaction: so no query runs between a change and
 * its count, and none sees a transaction's changes before they are committed.
 */
function countChanges(db: PGlite): DataVersion {
  let version = 0;
  const execute = db.execProtocolRawStream.bind(db);
  db.execProtocolRawStream = async (message, options) => {
    try {
      await execute(message, options);
    } finally {
      if (mayChangeData(message)) version++;
    }
  };
  return { current: () => version };
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
    const db = await PGlite.create({ dataDir: pgDataDir });
    const dataVersion = countChanges(db);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    await server.start();
    return {
      url: `postgres://postgres@${server.getServerConn()}/postgres`,
      dataVersion,
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
