/**
 * `npm run soak`: mixed load on one Janus over a PostgreSQL server, then proof that nothing
 * acknowledged was lost and no database connection leaked. See bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Cleanup } from './cleanup.ts';
import { runGuarded, writeReport } from './guarded-run.ts';
import { createBenchDatabase } from './database.ts';
import { startJanus } from './janus-process.ts';
import { checkWrites, connectionsAfterExit, idleConnections, readPoolMetrics, sleep } from './soak-checks.ts';
import { SOAK_USAGE, parseSoakOptions, type SoakOptions } from './soak-options.ts';
import { failures, renderSoakReport, type SoakResult } from './soak-report.ts';
import { runTraffic, totalRequests } from './soak-traffic.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const DEFAULT_OUT = path.join(REPO_ROOT, 'bench', 'results', 'soak.md');
/** Long enough for every request of the load to have released its connection. */
const IDLE_BEFORE_CHECK_MS = 3_000;
const IDLE_READINGS = 3;
const EXIT_SETTLE_MS = 5_000;

function log(message: string): void {
  process.stderr.write(`soak: ${message}\n`);
}

/**
 * Seconds the whole run may take: start-up, the load plus its last timeouts, and re-logging in
 * every registration (a few ms each at cost 4, far more at cost 12).
 */
function timeBudgetSeconds(options: SoakOptions): number {
  return Math.ceil(options.seconds * (options.bcryptCost > 8 ? 4 : 2) + 300);
}

async function runSoak(options: SoakOptions, cleanup: Cleanup, stop: AbortSignal): Promise<SoakResult> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'janus-soak-'));
  cleanup.add('remove temporary folder', () => rm(dataDir, { recursive: true, force: true }));
  const database = await createBenchDatabase(options.adminUrl);
  cleanup.add(`drop database ${database.name}`, () => database.drop());
  log(`database ${database.name} created; starting Janus`);
  const janus = await startJanus({ repoRoot: REPO_ROOT, mode: 'server', dataDir, databaseUrl: database.url, bcryptCost: options.bcryptCost, core: undefined });
  cleanup.add('stop Janus', () => janus.stop());

  const rssBytes = [await janus.rss()];
  // RSS at each quarter of the load: a leak keeps climbing, a heap that settles flattens out.
  const rssTimers = [1, 2, 3].map((quarter) =>
    setTimeout(() => void janus.rss().then((bytes) => rssBytes.push(bytes), () => undefined), (options.seconds * 1000 * quarter) / 4),
  );
  const linesBefore = janus.child.lineCount();
  log(`${options.clients} clients for ${options.seconds} s on ${janus.origin}`);
  const tag = randomBytes(4).toString('hex');
  const traffic = await runTraffic({ origin: janus.origin, clients: options.clients, seconds: options.seconds, tag, stop }).finally(() =>
    rssTimers.forEach(clearTimeout),
  );
  // Interrupted: the cleanup is already stopping Janus, checks would only report its absence.
  stop.throwIfAborted();
  janus.assertAlive();
  rssBytes.push(await janus.rss());
  const logLines = janus.child.lineCount() - linesBefore;
  // At LOG_LEVEL=warn a quiet Janus writes nothing; what it did write explains the report.
  if (logLines > 0) log(`Janus wrote ${logLines} log lines during the load; the last ones:\n${janus.child.tail()}`);
  log(`${totalRequests(traffic)} requests; logging in ${traffic.registered.length} registered users again`);

  const writes = await checkWrites(janus.origin, database.url, traffic.registered);
  await sleep(IDLE_BEFORE_CHECK_MS);
  const pool = await readPoolMetrics(janus.origin);
  const idle = await idleConnections(options.adminUrl, database.name, IDLE_READINGS);
  log('stopping Janus with SIGTERM');
  await janus.stop();
  return {
    date: new Date(),
    node: process.version,
    postgres: database.serverVersion,
    bcryptCost: options.bcryptCost,
    clients: options.clients,
    traffic,
    writes,
    pool,
    idle,
    janusExit: janus.child.exitStatus() ?? 'still running',
    connectionsAfterExit: await connectionsAfterExit(options.adminUrl, database.name, EXIT_SETTLE_MS),
    rssBytes,
    logLines,
  };
}

async function main(): Promise<void> {
  let options: SoakOptions | undefined;
  try {
    options = parseSoakOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`soak: ${(error as Error).message}\n\n${SOAK_USAGE}`);
    process.exit(2);
  }
  if (!options) {
    process.stdout.write(SOAK_USAGE);
    return;
  }

  await runGuarded({ budgetSeconds: timeBudgetSeconds(options), log }, async (cleanup, signal) => {
    const result = await runSoak(options, cleanup, signal);
    await writeReport(renderSoakReport(result), options.out ? path.resolve(options.out) : DEFAULT_OUT, log);
    const reasons = failures(result);
    if (reasons.length > 0) {
      process.exitCode = 1;
      log(`FAILED:\n${reasons.map((reason) => `  - ${reason}`).join('\n')}`);
    }
  });
}

await main();
