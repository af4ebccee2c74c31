import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { lockFolder } from './lock.ts';

export interface EmbeddedDatabase {
  /** A postgres:// URL served over the wire protocol, for the same driver as a real server. */
  url: string;
  stop(): Promise<void>;
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
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    await server.start();
    return {
      url: `postgres://postgres@${server.getServerConn()}/postgres`,
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
