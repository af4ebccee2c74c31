import type { Connections, PoolMetrics, WriteCheck } from './soak-checks.ts';
import { KINDS, totalRequests, type Kind, type TrafficResult } from './soak-traffic.ts';
import { percentile } from './stats.ts';

/** Janus's ORM pool size (src/db/orm.ts): more server connections than this is a leak. */
export const POOL_MAX = 10;

export interface SoakResult {
  date: Date;
  node: string;
  postgres: string;
  bcryptCost: number;
  clients: number;
  traffic: TrafficResult;
  writes: WriteCheck;
  pool: PoolMetrics;
  /** pg_stat_activity readings while Janus sat idle after the load. */
  idle: Connections[];
  /** How Janus ended after SIGTERM, e.g. "exit code 0". */
  janusExit: string;
  connectionsAfterExit: number;
  /** Janus's RSS before the load, then at each quarter of it. */
  rssBytes: number[];
  /** What Janus wrote at LOG_LEVEL=warn during the load. */
  logLines: number;
}

const OPERATION: Record<Kind, string> = { register: '`registerUser`', login: '`loginUser`', me: '`me`', refresh: '`refreshToken`' };

const count = (n: number) => n.toLocaleString('en-US');
const ms = (value: number) => (Number.isNaN(value) ? '–' : value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function connectionReasons(result: SoakResult): string[] {
  const reasons: string[] = [];
  const { pool, idle } = result;
  if (pool.inUse === undefined) reasons.push('/metrics has no janus_db_pool_connections{state="in_use"}');
  else if (pool.inUse !== 0) reasons.push(`${pool.inUse} pool connections still in use while idle`);
  if (pool.waiting) reasons.push(`${pool.waiting} pool requests still waiting while idle`);
  const most = Math.max(...idle.map((reading) => reading.total));
  if (most > POOL_MAX) reasons.push(`${most} connections to the soak database, above the pool's ${POOL_MAX}`);
  if (idle.some((reading) => reading.busy > 0)) reasons.push('connections busy (not idle) while Janus was idle');
  if (idle.some((reading, i) => i > 0 && reading.total > idle[i - 1]!.total)) reasons.push('idle connections kept growing');
  if (result.connectionsAfterExit > 0) reasons.push(`${result.connectionsAfterExit} connections left after Janus exited`);
  if (result.janusExit !== 'exit code 0') reasons.push(`Janus ended with ${result.janusExit} after SIGTERM, not exit code 0`);
  return reasons;
}

/** Why the soak failed; empty when it passed. */
export function failures(result: SoakResult): string[] {
  const { traffic, writes, pool } = result;
  const reasons: string[] = [];
  const unexpected = Object.values(traffic.unexpected).reduce((sum, n) => sum + n, 0);
  if (totalRequests(traffic) === 0) reasons.push('no request was answered');
  if (traffic.serverErrors > 0) reasons.push(`${traffic.serverErrors} server errors seen by the clients`);
  if (pool.server5xx > 0) reasons.push(`Janus counted ${pool.server5xx} 5xx answers (janus_requests_total)`);
  if (unexpected > 0) reasons.push(`${unexpected} unexpected answers`);
  if (writes.lost > 0) reasons.push(`${writes.lost} lost writes`);
  if (writes.usersInDatabase !== writes.acknowledged) {
    reasons.push(`${writes.usersInDatabase} users in the database for ${writes.acknowledged} acknowledged registrations`);
  }
  return [...reasons, ...connectionReasons(result)];
}

function kindRows(traffic: TrafficResult): string[] {
  return KINDS.map((kind) => {
    const sorted = Float64Array.from(traffic.latenciesMs[kind]).sort();
    const { rest, graphql } = traffic.counts[kind];
    return `| ${OPERATION[kind]} | ${count(rest + graphql)} | ${count(rest)} | ${count(graphql)} | ${ms(percentile(sorted, 0.5))} | ${ms(percentile(sorted, 0.99))} |`;
  });
}

function details(title: string, lines: string[]): string[] {
  return lines.length === 0 ? [] : ['', `${title}:`, '', ...lines.map((line) => `- \`${line.replaceAll('`', "'").replaceAll('\n', ' ')}\``)];
}

export function renderSoakReport(result: SoakResult): string {
  const { traffic, writes, pool, idle } = result;
  const total = totalRequests(traffic);
  const reasons = failures(result);
  const unexpected = Object.values(traffic.unexpected).reduce((sum, n) => sum + n, 0);
  const lines = [
    `# Janus soak test, ${result.date.toISOString()}`,
    '',
    `${result.clients} virtual clients for ${traffic.seconds.toFixed(1)} s against one Janus (production mode, BCRYPT_COST ${result.bcryptCost}, ` +
      `PostgreSQL ${result.postgres}, Node ${result.node}), each looping over a random mix of registration, login, \`me\` and ` +
      'refresh-token rotation on REST or GraphQL at random, with plain `fetch`.',
    '',
    reasons.length === 0 ? '**PASS**' : `**FAIL**: ${reasons.join('; ')}.`,
    '',
    '| check | result |',
    '| --- | ---: |',
    `| requests | ${count(total)} |`,
    `| rate | ${(total / traffic.seconds).toFixed(0)} req/s |`,
    `| 5xx (clients / Janus's metrics) | ${traffic.serverErrors} / ${pool.server5xx} |`,
    `| unexpected answers | ${unexpected} |`,
    `| acknowledged registrations / users in the database | ${count(writes.acknowledged)} / ${count(writes.usersInDatabase)} |`,
    `| lost writes (cannot log in again, or no row) | ${writes.lost} |`,
    `| pool in use / idle / waiting after idling (\`/metrics\`) | ${pool.inUse ?? 'missing'} / ${pool.idle ?? '–'} / ${pool.waiting ?? '–'} |`,
    `| PostgreSQL connections while idle, 1 s apart (max ${POOL_MAX}) | ${idle.map((reading) => reading.total).join(', ')} |`,
    `| PostgreSQL connections after SIGTERM | ${result.connectionsAfterExit} (Janus: ${result.janusExit}) |`,
    `| Janus RSS before the load, then every quarter of it | ${result.rssBytes.map(mib).join(' → ')} |`,
    `| Janus log lines during the load (warn and above) | ${result.logLines} |`,
    '',
    '| operation | requests | REST | GraphQL | p50 ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...kindRows(traffic),
    ...details('Unexpected answers', Object.entries(traffic.unexpected).map(([reason, n]) => `${n} × ${reason}`)),
    ...details('First server errors', traffic.serverErrorSamples),
    ...details('First lost writes', writes.lostSamples),
  ];
  return `${lines.join('\n')}\n`;
}
