/**
 * `npm run bench -- --variant-env NAME=VALUE …`: the plain Janus beside one Janus per variable,
 * on the rows a part of the request path could win on, measured in turns (A, B, A, B) so that a
 * busy machine's drift falls on every side alike. What the 15% rule (docs/performance.md) reads.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Cleanup } from './cleanup.ts';
import { benchAccount, loginUser, registerUser, type Account, type AuthPayload } from './client.ts';
import { seedRefreshTokens, type BenchDatabase } from './database.ts';
import { startJanus, type DatabaseMode, type JanusProcess } from './janus-process.ts';
import { measure, turnsFor, type LoadShape, type LoadSpec } from './load.ts';
import type { Options } from './options.ts';
import { ROW, TokenPool, graphqlBadToken, graphqlMe, graphqlRefresh, restMe } from './scenarios.ts';
import { countUnexpected } from './stats.ts';

interface Contender {
  label: string;
  janus: JanusProcess;
  account: Account;
  user: AuthPayload;
}

/** One side of a row: its rate and the CPU its process spent per answer, over all its turns. */
interface SideResult {
  perSecond: number;
  cpuMicrosPerAnswer: number;
  unexpected: number;
}

interface VariantRow {
  scenario: string;
  db: DatabaseMode;
  /** In contender order: the plain Janus first. */
  sides: SideResult[];
}

/** User + system CPU seconds of a process so far, every thread included (/proc/<pid>/stat). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Each side warmed up once, then turns of (plain, variant, …, plain, variant, …). Beside the rate,
 * the CPU time the server process spent per answer: on a machine shared with other work the rate
 * follows whatever else runs, while the CPU a request costs moves far less.
 */
async function inTurns(contenders: readonly Contender[], specOf: (contender: Contender) => LoadSpec, shape: LoadShape): Promise<SideResult[]> {
  const turns = turnsFor(shape);
  const totals = contenders.map(() => ({ answers: 0, seconds: 0, cpu: 0, unexpected: 0 }));
  for (const contender of contenders) await measure(contender.janus.origin, specOf(contender), { ...shape, seconds: 0 });
  for (let turn = 0; turn < turns; turn += 1) {
    for (const [index, contender] of contenders.entries()) {
      const before = await cpuSeconds(contender.janus.child.pid);
      const measured = await measure(contender.janus.origin, specOf(contender), { ...shape, warmupSeconds: 0, seconds: shape.seconds / turns });
      const total = totals[index]!;
      total.cpu += (await cpuSeconds(contender.janus.child.pid)) - before;
      total.answers += measured.completed;
      total.seconds += measured.seconds;
      total.unexpected += countUnexpected(measured);
    }
  }
  return totals.map((total) => ({
    perSecond: total.answers / total.seconds,
    cpuMicrosPerAnswer: (total.cpu * 1e6) / Math.max(1, total.answers),
    unexpected: total.unexpected,
  }));
}

function describe(side: SideResult): string {
  return `${side.perSecond.toFixed(0)}/s, ${side.cpuMicrosPerAnswer.toFixed(0)} µs CPU/answer${side.unexpected ? ` (${side.unexpected} errors)` : ''}`;
}

/** Refresh tokens for one contender: seeded where the database is shared, else one login each. */
async function refreshTokensFor(contender: Contender, database: BenchDatabase, count: number): Promise<string[]> {
  if (contender.janus.mode === 'server') return seedRefreshTokens(database.url, contender.user.user.id, count);
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1) tokens.push((await loginUser(contender.janus.origin, contender.account.email, contender.account.password)).refreshToken);
  return tokens;
}

export async function runVariants(
  context: { options: Options; shape: LoadShape; core: number | undefined; database: BenchDatabase; tmp: string; repoRoot: string; log(message: string): void },
  cleanup: Cleanup,
): Promise<string> {
  const { options, shape, database, log } = context;
  const tag = randomBytes(4).toString('hex');
  const rows: VariantRow[] = [];
  const labels = ['plain', ...options.variantEnv.map(({ name, value }) => `${name}=${value}`)];
  for (const mode of options.modes) {
    const contenders: Contender[] = [];
    for (const [index, label] of labels.entries()) {
      const variant = options.variantEnv[index - 1];
      log(`starting Janus (${mode}, ${label})`);
      const janus = await startJanus({
        repoRoot: context.repoRoot,
        mode,
        dataDir: path.join(context.tmp, `${mode}-${index}`),
        databaseUrl: mode === 'server' ? database.url : undefined,
        bcryptCost: options.bcryptCost,
        core: context.core,
        nodeFlags: options.nodeFlags,
        extraEnv: variant ? { [variant.name]: variant.value } : undefined,
      });
      cleanup.add(`stop Janus (${mode}, ${label})`, () => janus.stop());
      const account = benchAccount(`variant-${tag}-${mode}-${index}@example.com`);
      contenders.push({ label, janus, account, user: await registerUser(janus.origin, account) });
    }
    const row = async (scenario: string, specOf: (contender: Contender) => LoadSpec): Promise<void> => {
      const sides = await inTurns(contenders, specOf, shape);
      for (const contender of contenders) contender.janus.assertAlive();
      rows.push({ scenario, db: mode, sides });
      log(`[${mode}] ${scenario}: ${sides.map((side, i) => `${labels[i]} ${describe(side)}`).join('; ')}`);
    };
    // --only-me and --only-refresh choose rows here as in the usual run; neither: all four.
    const all = !options.onlyMe && !options.onlyRefresh;
    if (all || options.onlyMe) {
      await row(ROW.graphqlMe, (contender) => graphqlMe(contender.user.token));
      await row(ROW.restMe, (contender) => restMe(contender.user.token));
      await row(ROW.badToken, () => graphqlBadToken());
    }
    if (all || options.onlyRefresh) {
      const chainLength = shape.connections * (turnsFor(shape) + 1) + 2;
      const pools = new Map<Contender, TokenPool>();
      for (const contender of contenders) pools.set(contender, new TokenPool(await refreshTokensFor(contender, database, chainLength)));
      await row(ROW.refresh, (contender) => graphqlRefresh(pools.get(contender)!));
    }
    for (const contender of contenders) await contender.janus.stop();
  }
  const header = ['| Row | DB | plain |', ...labels.slice(1).map((label) => ` \`${label}\` |`)].join('');
  const rule = `|---|---|---:|${labels.slice(1).map(() => '---:|').join('')}`;
  const body = rows.map((row) => {
    const [plain, ...variants] = row.sides;
    const cells = variants.map(
      (side) =>
        ` ${describe(side)}: rate ${(side.perSecond / plain!.perSecond).toFixed(2)}×, CPU ${(side.cpuMicrosPerAnswer / plain!.cpuMicrosPerAnswer).toFixed(2)}× |`,
    );
    return `| ${row.scenario} | ${row.db} | ${describe(plain!)} |${cells.join('')}`;
  });
  return [
    `# Janus variants, ${new Date().toISOString()}`,
    '',
    `${shape.seconds} s measured per side and row after ${shape.warmupSeconds} s of warm-up, in ${turnsFor(shape)} turns per side ` +
      `(plain, variants, plain, variants, …), ${shape.connections} connections, servers ${context.core === undefined ? 'not pinned' : `pinned to core ${context.core}`}. ` +
      'Each cell: rate, the server process\'s CPU time (user + system, all threads) per answer, and both as a multiple of plain\'s ' +
      '(a rate above 1× or a CPU below 1× is the variant winning).',
    '',
    header,
    rule,
    ...body,
    '',
  ].join('\n');
}
