import cluster from 'node:cluster';
import os from 'node:os';
import { applyMemorySettings } from './memory-settings.ts';

// Before anything else loads: this may restart the process with the heap settings it needs. The
// embedded database is what config.ts starts when DATABASE_URL is unset or empty.
applyMemorySettings({ embeddedDatabase: !process.env.DATABASE_URL });

// libuv's thread pool runs bcrypt and also jose's WebCrypto: with bcrypt allowed one thread
// per core (src/accounts/passwords.ts), two more threads keep token checks from queueing behind
// logins. The size is read when the pool first starts, so it is set before anything else loads.
process.env.UV_THREADPOOL_SIZE ??= String(os.availableParallelism() + 2);

const { ConfigError, loadConfig } = await import('./config.ts');

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.workers > 1 && cluster.isPrimary) {
    const { runPrimary } = await import('./primary.ts');
    await runPrimary(config);
  } else {
    const { runServer } = await import('./start.ts');
    await runServer(config);
  }
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `start-up failed: ${(error as Error).message}`;
  process.stderr.write(`janus: ${message}\n`);
  process.exit(1);
});
