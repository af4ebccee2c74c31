import { execFile } from 'node:child_process';
import { access, chmod, mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { FolderInUseError, lockFolder } from './lock.ts';
import { openPGlite } from './postgres-settings.ts';

/**
 * The port in the socket's file name, `.s.PGSQL.5432`, as libpq and node-postgres build it from a
 * folder and a port: `psql -h <dataDir>` and the pg driver with `host: <dataDir>` find it there.
 */
export const SOCKET_PORT = 5432;

export const socketFileIn = (dataDir: string): string => path.join(dataDir, `.s.PGSQL.${SOCKET_PORT}`);

/** Tells when a client outside this process (an operator's CLI or psql) has used the database. */
export interface OutsideClients {
  onActivity(listener: () => void): void;
}

export interface EmbeddedDatabase {
  /** Connection settings for this process's pg driver: the folder holding a Unix socket, and its port. */
  socket: { host: string; port: number };
  /** Who serves it, for the start-up banner. */
  description: string;
  /** Set when this process serves the database: every other client reaches it through this process. */
  outsideClients: OutsideClients | undefined;
  stop(): Promise<void>;
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

// Linux's limit for a Unix socket's path (sun_path holds 108 bytes with its terminating NUL).
const MAX_SOCKET_PATH_BYTES = 107;

// A server that holds the folder opens its socket once PGlite is up (~10-15 s on a busy machine).
const SOCKET_WAIT_MS = 60_000;

/** The socket of the server process that holds the folder, once it listens. */
async function joinRunningServer(dataDir: string, held: FolderInUseError): Promise<EmbeddedDatabase> {
  const socketFile = socketFileIn(dataDir);
  const deadline = Date.now() + SOCKET_WAIT_MS;
  while (!(await exists(socketFile))) {
    if (Date.now() > deadline) throw new Error(`${held.what} is held by process ${held.owner}, which does not accept connections at ${socketFile}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    socket: { host: dataDir, port: SOCKET_PORT },
    description: `embedded PostgreSQL of process ${held.owner} in ${dataDir}`,
    outsideClients: undefined,
    stop: async () => {},
  };
}

/**
 * The operators' socket: each connection is piped to the server's own socket (one PGlite, one
 * queue of messages), and every byte either way is reported, since an outside client may have
 * changed anything.
 */
async function serveOperators(socketFile: string, serverSocketFile: string, onActivity: () => void): Promise<{ close(): Promise<void> }> {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(serverSocketFile);
    open.add(client);
    client.on('close', () => open.delete(client));
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      from.on('data', onActivity);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        to.destroy();
        onActivity();
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketFile, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of open) client.destroy();
      return closed;
    },
  };
}

/**
 * PGlite served over the PostgreSQL wire protocol on Unix sockets in the data folder: the server's
 * own, in `.server/`, so that MikroORM's PostgreSQL driver talks to it exactly as it talks to a
 * server, and the operators' `.s.PGSQL.5432`, through which the CLI or psql join while the server
 * runs (reported through `outsideClients`). Owner-only: the folders are 0700 and the sockets 0600
 * (the database trusts whoever connects). `maxConnections` must cover the ORM pool and the
 * operators: beyond it pglite-socket refuses the connection (its default of one makes a pool fail
 * with ECONNRESET).
 *
 * When another process (a running server) holds the folder, `shareHeldFolder` connects through its
 * socket instead of refusing; without it that is an error, since two servers must not share one.
 */
export async function openEmbeddedDatabase(
  dataDir: string,
  options: { maxConnections: number; shareHeldFolder: boolean },
): Promise<EmbeddedDatabase> {
  const pgDataDir = path.join(dataDir, 'pgdata');
  await mkdir(pgDataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  let unlock: () => Promise<void>;
  try {
    unlock = await lockFolder(path.join(dataDir, 'pgdata.lock'), `The embedded database in ${dataDir}`);
  } catch (error) {
    if (error instanceof FolderInUseError && options.shareHeldFolder) return joinRunningServer(dataDir, error);
    throw error;
  }
  const socketFile = socketFileIn(dataDir);
  const serverDir = path.join(dataDir, '.server');
  const serverSocketFile = socketFileIn(serverDir);
  const removeSockets = () => Promise.all([rm(socketFile, { force: true }), rm(serverSocketFile, { force: true })]);
  try {
    if (Buffer.byteLength(serverSocketFile) > MAX_SOCKET_PATH_BYTES) {
      throw new Error(`The data folder's path is too long for its database socket ${serverSocketFile} (at most ${MAX_SOCKET_PATH_BYTES} bytes): choose a shorter JANUS_DATA_DIR`);
    }
    await createDataFolderIfNew(pgDataDir);
    await mkdir(serverDir, { recursive: true, mode: 0o700 });
    const db = await openPGlite(pgDataDir);
    // Left by a process that ended without closing: nobody listens on them (we hold the lock).
    await removeSockets();
    const server = new PGLiteSocketServer({ db, path: serverSocketFile, maxConnections: options.maxConnections });
    await server.start();
    await chmod(serverSocketFile, 0o600);
    const listeners: Array<() => void> = [];
    const operators = await serveOperators(socketFile, serverSocketFile, () => {
      for (const listener of listeners) listener();
    });
    await chmod(socketFile, 0o600);
    return {
      socket: { host: serverDir, port: SOCKET_PORT },
      description: `embedded PostgreSQL in ${dataDir}`,
      outsideClients: { onActivity: (listener) => void listeners.push(listener) },
      async stop() {
        await operators.close();
        await server.stop();
        await db.close();
        await removeSockets();
        await unlock();
      },
    };
  } catch (error) {
    await removeSockets();
    await unlock();
    throw error;
  }
}
