import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { openDatabase } from '../db/orm.ts';
import { composition } from './composition.ts';
import type { Config } from '../config/config.ts';
import { loadKeyRing } from '../config/keyring.ts';
import { createLogger } from './logger.ts';

/**
 * The primary of JANUS_WORKERS: it applies migrations and makes sure the signing key exists once,
 * before any worker starts (so that workers never race to do either), then keeps `workers`
 * processes serving the shared port, replacing any that dies, and on SIGTERM/SIGINT lets every
 * worker drain before it exits. All state lives in PostgreSQL (and Redis), so the guarantees of a
 * single process hold across workers.
 */
export async function runPrimary(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, modules: composition });
  await database.close();
  await loadKeyRing(config);

  let stopping = false;
  const fork = (): Worker => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
    fork();
  });
  for (let i = 0; i < config.workers; i++) fork();

  const stop = (): void => {
    // A repeated signal (Ctrl-C under `npm start` arrives twice) must not end the primary mid-drain.
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    Promise.all(workers.map((worker) => {
      const exited = once(worker, 'exit');
      worker.process.kill('SIGTERM');
      return exited;
    })).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
