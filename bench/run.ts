/**
 * `npm run bench`: Janus against a floor (the irreducible work of the same requests), side by
 * side, on the embedded database and on a PostgreSQL server. See bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LOAD_CORE, SERVER_CORE, canPin, pinSelf } from './affinity.ts';
import { measureBcrypt, type BcryptMeasurement } from './bcrypt-process.ts';
import type { Cleanup } from './cleanup.ts';
import { runGuarded, writeReport } from './guarded-run.ts';
import { benchAccount, hasMutation, loginUser, registerUser, type Account, type AuthPayload } from './client.ts';
import { createBenchDatabase, seedRefreshTokens, type BenchDatabase } from './database.ts';
import { startFloor, type FloorProcess } from './floor-process.ts';
import { startYogaCeiling } from './yoga-ceiling-process.ts';
import type { HelperServer } from './children.ts';
import { generatedKeyFile, startJanus, type DatabaseMode, type JanusProcess } from './janus-process.ts';
import { measure, measureInTurns, turnsFor, type LoadShape, type LoadSpec } from './load.ts';
import { USAGE, parseOptions, type Options } from './options.ts';
import { renderReport, type ModeSummary, type Row } from './report.ts';
import {
  BAD_TOKEN,
  ROW,
  TokenPool,
  floorBadToken,
  floorRefresh,
  graphqlBadToken,
  graphqlLogin,
  graphqlMe,
  graphqlRefresh,
  graphqlRegister,
  restLogin,
  restMe,
} from './scenarios.ts';
import { countUnexpected, type Measurement } from './stats.ts';
import { runVariants } from './variants.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const DEFAULT_OUT = path.join(REPO_ROOT, 'bench', 'results', 'latest.md');

const FLOOR_ME = 'node:http + jose + 1 SELECT';
const FLOOR_REJECT = 'node:http + jose rejects (401)';
const FLOOR_REFRESH = 'node:http + 1 CTE + jose sign';
const CEILING_GRAPHQL = 'bare graphql-yoga, `me` from a constant';
const CEILING_REST = 'bare graphql-yoga + SOFA, `me` from a constant';

interface Bench {
  options: Options;
  shape: LoadShape;
  /** The core servers run on; undefined when not pinning. */
  core: number | undefined;
  tag: string;
  database: BenchDatabase;
  floor: FloorProcess;
  /** The stack's ceiling: a bare graphql-yoga (yoga-ceiling.ts). */
  ceiling: HelperServer;
  floorUser: AuthPayload;
  log(message: string): void;
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** Seconds the whole run may take before it is stopped and cleaned up: generous, but bounded. */
function timeBudgetSeconds(options: Options): number {
  const row = options.warmupSeconds + options.seconds;
  const perMode = 16 * row + 3 * options.seconds + 240;
  return Math.ceil(options.modes.length * perMode * 1.5 + 180);
}

async function launchJanus(bench: Pick<Bench, 'options' | 'core'>, cleanup: Cleanup, mode: DatabaseMode, dataDir: string, databaseUrl: string) {
  const janus = await startJanus({
    repoRoot: REPO_ROOT,
    mode,
    dataDir,
    databaseUrl: mode === 'server' ? databaseUrl : undefined,
    bcryptCost: bench.options.bcryptCost,
    core: bench.core,
    nodeFlags: bench.options.nodeFlags,
  });
  cleanup.add(`stop Janus (${mode})`, () => janus.stop());
  return janus;
}

/** Fails early, before any load, if the floor does not give the answers it is compared on. */
async function assertFloorServes(floor: FloorProcess, token: string, email: string): Promise<void> {
  const good = await fetch(`${floor.origin}/rest/me`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await good.json()) as { email?: string };
  if (good.status !== 200 || body.email !== email) throw new Error(`floor answered me with ${good.status} ${JSON.stringify(body)}`);
  const bad = await fetch(`${floor.origin}/rest/me`, { headers: { authorization: `Bearer ${BAD_TOKEN}` } });
  await bad.arrayBuffer();
  if (bad.status !== 401) throw new Error(`floor answered a bad token with ${bad.status}`);
}

function describe(measurement: Measurement | undefined): string {
  if (!measurement) return 'n/a';
  const failures = countUnexpected(measurement);
  return `${measurement.perSecond.toFixed(1)}/s p99 ${measurement.p99Ms.toFixed(1)} ms${failures ? ` (${failures} errors)` : ''}`;
}

function record(bench: Bench, janus: JanusProcess, rows: Row[], row: Omit<Row, 'db'>): void {
  rows.push({ ...row, db: janus.mode });
  const { janus: measured, floor } = row;
  const versus = measured && floor ? ` → ${(measured.perSecond / floor.perSecond).toFixed(2)}×` : '';
  bench.log(`[${janus.mode}] ${row.scenario}: Janus ${describe(measured)}, floor ${describe(floor)}${versus}`);
}

/** Runs the floor side, then the Janus side right after it, and records the row. */
async function pairRow(
  bench: Bench,
  janus: JanusProcess,
  rows: Row[],
  row: { scenario: string; floorLabel: string; floor: () => Promise<Measurement>; janus: (() => Promise<Measurement>) | undefined },
): Promise<void> {
  const floor = row.janus ? await row.floor() : undefined;
  bench.floor.assertAlive();
  const measured = row.janus ? await row.janus() : undefined;
  janus.assertAlive();
  record(bench, janus, rows, { scenario: row.scenario, janus: measured, floorLabel: row.floorLabel, floor });
}

/**
 * A row where the floor, Janus and (for `me`) the bare-Yoga ceiling are servers under the same
 * load: measured in turns (load.ts).
 */
async function turnRow(
  bench: Bench,
  janus: JanusProcess,
  rows: Row[],
  row: { scenario: string; floorLabel: string; floor: LoadSpec; janus: LoadSpec; ceiling?: { label: string; spec: LoadSpec } },
): Promise<void> {
  const sides = [
    { origin: bench.floor.origin, spec: row.floor },
    { origin: janus.origin, spec: row.janus },
    ...(row.ceiling ? [{ origin: bench.ceiling.origin, spec: row.ceiling.spec }] : []),
  ];
  const [floor, measured, ceiling] = await measureInTurns(sides, bench.shape);
  bench.floor.assertAlive();
  bench.ceiling.assertAlive();
  janus.assertAlive();
  record(bench, janus, rows, { scenario: row.scenario, janus: measured, floorLabel: row.floorLabel, floor, ceilingLabel: row.ceiling?.label, ceiling });
}

/** Refresh tokens for Janus's rotation chain: one login each (a bcrypt round each). */
async function janusRefreshTokens(origin: string, email: string, password: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1) tokens.push((await loginUser(origin, email, password)).refreshToken);
  return tokens;
}

/**
 * When a bcrypt-bound load stops, the server still holds up to one bcrypt round per connection;
 * without waiting for them the next row would start with seconds of someone else's work.
 */
function settleAfterBcrypt(shape: LoadShape, bcrypt: BcryptMeasurement): Promise<void> {
  const ms = shape.connections * bcrypt.singleMs + 500;
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface ModeContext {
  bench: Bench;
  janus: JanusProcess;
  account: Account;
  me: AuthPayload;
  compareFloor: BcryptMeasurement;
  settle(): Promise<void>;
}

async function meRows(mode: Pick<ModeContext, 'bench' | 'janus' | 'me'>, rows: Row[]): Promise<void> {
  const { bench, janus, me } = mode;
  const floorToken = bench.floorUser.token;
  // The ceiling needs no token; it gets the floor's, so that every side sends the same request.
  await turnRow(bench, janus, rows, {
    scenario: ROW.graphqlMe,
    floorLabel: FLOOR_ME,
    floor: graphqlMe(floorToken),
    janus: graphqlMe(me.token),
    ceiling: { label: CEILING_GRAPHQL, spec: graphqlMe(floorToken) },
  });
  await turnRow(bench, janus, rows, {
    scenario: ROW.restMe,
    floorLabel: FLOOR_ME,
    floor: restMe(floorToken),
    janus: restMe(me.token),
    ceiling: { label: CEILING_REST, spec: restMe(floorToken) },
  });
  await turnRow(bench, janus, rows, { scenario: ROW.badToken, floorLabel: FLOOR_REJECT, floor: floorBadToken(), janus: graphqlBadToken() });
}

async function bcryptRows(mode: ModeContext, rows: Row[]): Promise<void> {
  const { bench, janus, account, compareFloor } = mode;
  const { shape, options } = bench;
  const thenSettle = (spec: LoadSpec) => async () => {
    const measured = await measure(janus.origin, spec, shape);
    await mode.settle();
    return measured;
  };
  // Each login row gets a bcrypt run of its own, right before it: bcrypt's rate drifts with the
  // machine like a server's (one run shared by both rows put the second 0.05-0.1 lower).
  const compareLabel = `bcrypt.compare ×${compareFloor.threads}`;
  const compareAgain = () => measureBcrypt({ repoRoot: REPO_ROOT, mode: 'compare', cost: options.bcryptCost, shape, core: bench.core });
  await pairRow(bench, janus, rows, { scenario: ROW.graphqlLogin, floorLabel: compareLabel, floor: compareAgain, janus: thenSettle(graphqlLogin(account.email, account.password)) });
  await pairRow(bench, janus, rows, { scenario: ROW.restLogin, floorLabel: compareLabel, floor: compareAgain, janus: thenSettle(restLogin(account.email, account.password)) });

  const hashFloor = await measureBcrypt({ repoRoot: REPO_ROOT, mode: 'hash', cost: options.bcryptCost, shape, core: bench.core });
  const emailOf = (n: number) => `reg-${bench.tag}-${janus.mode}-${n}@example.com`;
  await pairRow(bench, janus, rows, { scenario: ROW.register, floorLabel: `bcrypt.hash ×${hashFloor.threads}`, floor: async () => hashFloor, janus: thenSettle(graphqlRegister(account, emailOf)) });
}

async function refreshRow(mode: Pick<ModeContext, 'bench' | 'janus' | 'account' | 'me'>, rows: Row[]): Promise<void> {
  const { bench, janus, account, me } = mode;
  if (!(await hasMutation(janus.origin, 'refreshToken'))) {
    record(bench, janus, rows, { scenario: ROW.refresh, janus: undefined, floorLabel: FLOOR_REFRESH, floor: undefined });
    return;
  }
  // Each connection holds one token at a time, and an answer cut off where a run ends takes its
  // token with it: a token per connection for every run (the warm-up and each turn), plus spares.
  const chainLength = bench.shape.connections * (turnsFor(bench.shape) + 1) + 2;
  const floorTokens = await seedRefreshTokens(bench.database.url, bench.floorUser.user.id, chainLength);
  // A server-mode Janus shares the bench database: its tokens are seeded the same way, without a
  // bcrypt round each. The embedded one's database is out of reach: log in for each.
  const janusTokens =
    janus.mode === 'server'
      ? await seedRefreshTokens(bench.database.url, me.user.id, chainLength)
      : await janusRefreshTokens(janus.origin, account.email, account.password, chainLength);
  await turnRow(bench, janus, rows, {
    scenario: ROW.refresh,
    floorLabel: FLOOR_REFRESH,
    floor: floorRefresh(new TokenPool(floorTokens)),
    janus: graphqlRefresh(new TokenPool(janusTokens)),
  });
}

/** `me` and logins at once: how much a burst of bcrypt work slows the cheapest authenticated call. */
async function meUnderLogin(mode: ModeContext) {
  const { bench, janus, me, account } = mode;
  const [meResult, loginResult] = await Promise.all([
    measure(janus.origin, graphqlMe(me.token), bench.shape),
    measure(janus.origin, graphqlLogin(account.email, account.password), bench.shape),
  ]);
  janus.assertAlive();
  await mode.settle();
  bench.log(`[${janus.mode}] me under login: me ${describe(meResult)}, login ${describe(loginResult)}`);
  return { meResult, loginResult };
}

/** Three equal rounds of `me`, RSS after each: steady state should stop growing by the third. */
async function memoryRounds(mode: ModeContext): Promise<number[]> {
  const { bench, janus, me } = mode;
  const rss: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    await measure(janus.origin, graphqlMe(me.token), { ...bench.shape, warmupSeconds: 0 });
    janus.assertAlive();
    rss.push(await janus.rss());
  }
  bench.log(`[${janus.mode}] RSS after three me rounds: ${rss.map((bytes) => (bytes / 2 ** 20).toFixed(0)).join(' → ')} MiB`);
  return rss;
}

async function benchMode(bench: Bench, janus: JanusProcess): Promise<{ rows: Row[]; summary: ModeSummary | undefined }> {
  const account = benchAccount(`me-${bench.tag}-${janus.mode}@example.com`);
  const me = await registerUser(janus.origin, account);
  const rssAtStartBytes = await janus.rss();
  const linesBefore = janus.child.lineCount();
  if (bench.options.onlyMe || bench.options.onlyRefresh) {
    const rows: Row[] = [];
    if (bench.options.onlyMe) await meRows({ bench, janus, me }, rows);
    if (bench.options.onlyRefresh) await refreshRow({ bench, janus, account, me }, rows);
    const rssAfterRunBytes = await janus.rss();
    return { rows, summary: { db: janus.mode, rssAtStartBytes, rssAfterRunBytes, logLinesDuringLoad: janus.child.lineCount() - linesBefore } };
  }
  const compareFloor = await measureBcrypt({ repoRoot: REPO_ROOT, mode: 'compare', cost: bench.options.bcryptCost, shape: bench.shape, core: bench.core });
  const mode: ModeContext = { bench, janus, account, me, compareFloor, settle: () => settleAfterBcrypt(bench.shape, compareFloor) };

  const rows: Row[] = [];
  await meRows(mode, rows);
  await bcryptRows(mode, rows);
  await refreshRow(mode, rows);
  const { meResult, loginResult } = await meUnderLogin(mode);
  const rssAfterRunBytes = await janus.rss();
  const rssRoundsBytes = await memoryRounds(mode);
  return {
    rows,
    summary: {
      db: janus.mode,
      rssAtStartBytes,
      rssAfterRunBytes,
      logLinesDuringLoad: janus.child.lineCount() - linesBefore,
      full: {
        idleMeP99Ms: rows.find((row) => row.scenario === ROW.graphqlMe)?.janus?.p99Ms ?? Number.NaN,
        meUnderLogin: meResult,
        loginUnderMe: loginResult,
        rssRoundsBytes,
      },
    },
  };
}

async function runBench(options: Options, cleanup: Cleanup): Promise<string> {
  const started = performance.now();
  const pinned = canPin();
  // The runner is the load generator (autocannon runs in it): keep it off the server's core.
  if (pinned) pinSelf(LOAD_CORE);
  const core = pinned ? SERVER_CORE : undefined;
  const shape: LoadShape = { warmupSeconds: options.warmupSeconds, seconds: options.seconds, connections: options.connections };

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'janus-bench-'));
  cleanup.add('remove temporary folder', () => rm(tmp, { recursive: true, force: true }));
  const database = await createBenchDatabase(options.adminUrl);
  cleanup.add(`drop database ${database.name}`, () => database.drop());
  if (options.variantEnv.length > 0) {
    log(`database ${database.name} created`);
    return runVariants({ options, shape, core, database, tmp, repoRoot: REPO_ROOT, log }, cleanup);
  }
  log(`database ${database.name} created; starting Janus (server)`);

  // The server-mode Janus migrates the bench database and issues the floor's key and token,
  // whichever modes are benchmarked: the floor always runs on the server database.
  const serverJanus = await launchJanus({ options, core }, cleanup, 'server', path.join(tmp, 'server'), database.url);
  const tag = randomBytes(4).toString('hex');
  const floorAccount = benchAccount(`floor-${tag}@example.com`);
  const floorUser = await registerUser(serverJanus.origin, floorAccount);
  const floor = await startFloor({ repoRoot: REPO_ROOT, keyFile: generatedKeyFile(serverJanus.dataDir), databaseUrl: database.url, core });
  cleanup.add('stop floor', () => floor.stop());
  await assertFloorServes(floor, floorUser.token, floorAccount.email);
  const ceiling = await startYogaCeiling({ repoRoot: REPO_ROOT, core });
  cleanup.add('stop Yoga ceiling', () => ceiling.stop());
  const bench: Bench = { options, shape, core, tag, database, floor, ceiling, floorUser, log };

  const rows: Row[] = [];
  const summaries: ModeSummary[] = [];
  if (!options.modes.includes('server')) await serverJanus.stop();
  for (const mode of options.modes) {
    if (mode === 'embedded') log('starting Janus (embedded)');
    const janus = mode === 'server' ? serverJanus : await launchJanus(bench, cleanup, 'embedded', path.join(tmp, 'embedded'), database.url);
    const result = await benchMode(bench, janus);
    rows.push(...result.rows);
    if (result.summary) summaries.push(result.summary);
    // One Janus at a time: an idle one would still hold memory and wake up for its timers.
    await janus.stop();
  }

  const cpus = os.cpus();
  return renderReport(
    {
      date: new Date(),
      node: process.version,
      cores: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
      kernel: os.release(),
      postgres: database.serverVersion,
      pinned,
      shape,
      bcryptCost: options.bcryptCost,
      bcryptThreads: Number(process.env.UV_THREADPOOL_SIZE) || 4,
      nodeFlags: options.nodeFlags,
      elapsedSeconds: (performance.now() - started) / 1000,
    },
    rows,
    summaries,
  );
}

async function main(): Promise<void> {
  let options: Options | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (!options) {
    process.stdout.write(USAGE);
    return;
  }

  const started = performance.now();
  await runGuarded({ budgetSeconds: timeBudgetSeconds(options), log }, async (cleanup) => {
    const report = await runBench(options, cleanup);
    await writeReport(report, options.out ? path.resolve(options.out) : DEFAULT_OUT, log);
  });
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
