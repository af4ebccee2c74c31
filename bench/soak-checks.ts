/** What the soak verifies once the load has stopped: acknowledged writes, and database connections. */
import { loginUser, type Account } from './client.ts';
import { withClient } from './database.ts';

const RELOGIN_CONCURRENCY = 8;
const SAMPLES_KEPT = 5;

export interface WriteCheck {
  acknowledged: number;
  usersInDatabase: number;
  /** Acknowledged registrations that cannot log in again, or whose row is missing. */
  lost: number;
  lostSamples: string[];
}

/** Runs `work` over `items` with at most `limit` of them in flight. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function failedRelogins(origin: string, accounts: readonly Account[]): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  await eachLimited(accounts, RELOGIN_CONCURRENCY, async (account) => {
    try {
      const payload = await loginUser(origin, account.email, account.password);
      if (payload.user.email !== account.email) failed.set(account.email, `login answered as ${payload.user.email}`);
    } catch (error) {
      failed.set(account.email, (error as Error).message);
    }
  });
  return failed;
}

/** Every acknowledged registration logs in once more, and the users table holds exactly those. */
export async function checkWrites(origin: string, databaseUrl: string, registered: readonly Account[]): Promise<WriteCheck> {
  const lost = await failedRelogins(origin, registered);
  const stored = await withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ email: string }>('select email from users');
    return new Set(rows.map((row) => row.email));
  });
  for (const { email } of registered) if (!stored.has(email) && !lost.has(email)) lost.set(email, 'no row in users');
  return {
    acknowledged: registered.length,
    usersInDatabase: stored.size,
    lost: lost.size,
    lostSamples: [...lost].slice(0, SAMPLES_KEPT).map(([email, why]) => `${email}: ${why}`),
  };
}

export interface PoolMetrics {
  /** Undefined when /metrics does not have the series. */
  inUse: number | undefined;
  idle: number | undefined;
  waiting: number | undefined;
  /** Sum of janus_requests_total over 5xx statuses: the server's own count of its failures. */
  server5xx: number;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1], label[2]]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

export async function readPoolMetrics(origin: string): Promise<PoolMetrics> {
  const response = await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}: ${text.slice(0, 200)}`);
  const samples = parsePrometheus(text);
  const pool = (state: string) => samples.find((sample) => sample.name === 'janus_db_pool_connections' && sample.labels.state === state)?.value;
  const server5xx = samples
    .filter((sample) => sample.name === 'janus_requests_total' && sample.labels.status?.startsWith('5'))
    .reduce((sum, sample) => sum + sample.value, 0);
  return { inUse: pool('in_use'), idle: pool('idle'), waiting: pool('waiting'), server5xx };
}

export interface Connections {
  total: number;
  /** Running a statement, or idle inside a transaction: neither should last when nothing is asked. */
  busy: number;
}

/**
 * Client connections to `database`, from pg_stat_activity (autovacuum workers, which the soak's
 * inserts may well wake, are not Janus's), asked through the admin database so that the
 * question does not count itself.
 */
export async function connectionsTo(adminUrl: string, database: string): Promise<Connections> {
  return withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ total: number; busy: number }>(
      "select count(*)::int as total, count(*) filter (where state is distinct from 'idle')::int as busy from pg_stat_activity where datname = $1 and backend_type = 'client backend'",
      [database],
    );
    return rows[0] ?? { total: 0, busy: 0 };
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A few readings a second apart: an idle pool holds steady or shrinks, never grows. */
export async function idleConnections(adminUrl: string, database: string, readings: number): Promise<Connections[]> {
  const seen: Connections[] = [];
  for (let i = 0; i < readings; i += 1) {
    if (i > 0) await sleep(1000);
    seen.push(await connectionsTo(adminUrl, database));
  }
  return seen;
}

/** Backends end a moment after their client goes: wait that moment, not longer. */
export async function connectionsAfterExit(adminUrl: string, database: string, timeoutMs: number): Promise<number> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const { total } = await connectionsTo(adminUrl, database);
    if (total === 0 || performance.now() > until) return total;
    await sleep(200);
  }
}
