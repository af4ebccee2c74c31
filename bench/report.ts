import type { DatabaseMode } from './janus-process.ts';
import { TURN_WARMUP_SECONDS, turnsFor, type LoadShape } from './load.ts';
import { ROW } from './scenarios.ts';
import { countUnexpected, type Measurement } from './stats.ts';

export interface Row {
  scenario: string;
  db: DatabaseMode;
  /** Undefined when this Janus does not have the operation yet. */
  janus: Measurement | undefined;
  floorLabel: string;
  floor: Measurement | undefined;
  /** The bare-framework ceiling, measured in the same turns (the `me` rows only). */
  ceilingLabel?: string | undefined;
  ceiling?: Measurement | undefined;
}

export interface ModeSummary {
  db: DatabaseMode;
  /** Once started and one user registered, before any load. */
  rssAtStartBytes: number;
  rssAfterRunBytes: number;
  logLinesDuringLoad: number;
  /** Undefined with --only-me. */
  full?: {
    idleMeP99Ms: number;
    meUnderLogin: Measurement;
    loginUnderMe: Measurement;
    rssRoundsBytes: number[];
  };
}

export interface RunInfo {
  date: Date;
  node: string;
  cores: number;
  cpuModel: string;
  kernel: string;
  postgres: string;
  pinned: boolean;
  shape: LoadShape;
  bcryptCost: number;
  bcryptThreads: number;
  /** Node flags Janus started with (--node-flags), if any. */
  nodeFlags: string[];
  elapsedSeconds: number;
}

const grouped = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

function rate(value: number): string {
  return value >= 100 ? grouped.format(value) : value.toFixed(1);
}

function millis(value: number): string {
  if (Number.isNaN(value)) return '—';
  if (value >= 100) return grouped.format(value);
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function ratio(numerator: number, denominator: number): string {
  if (!(denominator > 0)) return '—';
  const value = numerator / denominator;
  const digits = value >= 10 ? 0 : value >= 1 ? 1 : value >= 0.1 ? 2 : 3;
  return `${value.toFixed(digits)}×`;
}

function errors(measurement: Measurement): string {
  const total = countUnexpected(measurement);
  if (total === 0) return '0';
  const reasons = Object.entries(measurement.unexpected)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, count]) => `${reason} ×${count}`);
  return `${total} (${reasons.join(', ')})`;
}

const LITTLE_MARK = '*';

function cells(measurement: Measurement | undefined): string[] {
  if (!measurement) return ['—', '—', '—', '—'];
  const mark = measurement.rateFrom === 'littles-law' ? LITTLE_MARK : '';
  return [`${rate(measurement.perSecond)}${mark}`, millis(measurement.p50Ms), millis(measurement.p99Ms), errors(measurement)];
}

function usesLittlesLaw(rows: Row[]): boolean {
  return rows.some((row) => row.janus?.rateFrom === 'littles-law' || row.floor?.rateFrom === 'littles-law');
}

function tableRow(row: Row): string {
  const janus = row.janus ? cells(row.janus) : ['n/a (not implemented)', '—', '—', '—'];
  const versus = row.janus && row.floor ? ratio(row.janus.perSecond, row.floor.perSecond) : '—';
  const floor = row.janus ? cells(row.floor) : ['not run', '—', '—', '—'];
  const ceiling = row.ceiling ? [row.ceilingLabel ?? '—', rate(row.ceiling.perSecond), errors(row.ceiling)] : ['— (none for this row)', '—', '—'];
  const versusCeiling = row.janus && row.ceiling ? ratio(row.janus.perSecond, row.ceiling.perSecond) : '—';
  return `| ${[row.scenario, row.db, ...janus, row.floorLabel, ...floor, versus, ...ceiling, versusCeiling].join(' | ')} |`;
}

function table(rows: Row[]): string[] {
  return [
    '| scenario | db | Janus req/s | p50 ms | p99 ms | errors | floor | floor req/s | p50 ms | p99 ms | errors | Janus ÷ floor | ceiling | ceiling req/s | errors | Janus ÷ ceiling |',
    '| --- | --- | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | --- | ---: | --- | ---: | --- | ---: |',
    ...rows.map(tableRow),
  ];
}

function underLoginLine(summaries: ModeSummary[], connections: number): string | undefined {
  const full = summaries.flatMap((s) => (s.full ? [{ db: s.db, ...s.full }] : []));
  if (!full.length) return undefined;
  const parts = full.map(
    (s) =>
      `${s.db} ${millis(s.meUnderLogin.p99Ms)} ms vs ${millis(s.idleMeP99Ms)} ms idle → **${ratio(s.meUnderLogin.p99Ms, s.idleMeP99Ms)}** ` +
      `(\`me\` ${rate(s.meUnderLogin.perSecond)}/s, errors ${errors(s.meUnderLogin)}; logins ${rate(s.loginUnderMe.perSecond)}/s)`,
  );
  return `- GraphQL \`me\` p99 while \`loginUser\` runs at the same time (${connections} connections each): ${parts.join('; ')}.`;
}

function memoryLines(summaries: ModeSummary[]): string[] {
  const rss = summaries.map((s) => `${s.db} ${mib(s.rssAtStartBytes)} at start → ${mib(s.rssAfterRunBytes)}`).join(', ');
  const growth = summaries.flatMap((summary) => {
    if (!summary.full) return [];
    const s = { db: summary.db, ...summary.full };
    const [, second = 0, third = 0] = s.rssRoundsBytes;
    const percent = ((third - second) / second) * 100;
    return `${s.db} ${s.rssRoundsBytes.map(mib).join(' → ')} (round 2→3 **${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%**)`;
  });
  return [
    `- Janus RSS (VmRSS) after its scenarios: ${rss}.`,
    ...(growth.length ? [`- Memory growth, three equal rounds of GraphQL \`me\`, RSS after each: ${growth.join('; ')}.`] : []),
  ];
}

function perSecond(rows: Row[], scenario: string, db: DatabaseMode): { janus: number; floor: number } | undefined {
  const row = rows.find((r) => r.scenario === scenario && r.db === db);
  return row?.janus && row.floor ? { janus: row.janus.perSecond, floor: row.floor.perSecond } : undefined;
}

function embeddedVersusServerLine(rows: Row[]): string | undefined {
  const parts: string[] = [];
  for (const scenario of [ROW.graphqlMe, ROW.restMe]) {
    const embedded = perSecond(rows, scenario, 'embedded');
    const server = perSecond(rows, scenario, 'server');
    if (!embedded || !server) continue;
    // Each Janus against the floor run next to it cancels most of the drift between the two runs.
    const normalised = embedded.janus / embedded.floor / (server.janus / server.floor);
    parts.push(`${scenario} **${ratio(embedded.janus, server.janus)}** raw, ${ratio(normalised, 1)} against each one's own floor run`);
  }
  return parts.length ? `- Embedded ÷ server database, req/s: ${parts.join('; ')} (the two runs are minutes apart).` : undefined;
}

function turnsNote(shape: LoadShape): string {
  const turns = turnsFor(shape);
  const rows = 'the `me` and bad-token rows';
  if (turns === 1) return `In ${rows} the floor, Janus and (for \`me\`) the ceiling ran one after another; in the others each Janus run came right after its floor run.`;
  return (
    `In ${rows} the floor, Janus and (for \`me\`) the bare-Yoga ceiling took turns, ${turns} turns each of ${+(shape.seconds / turns).toFixed(2)} s ` +
    `(after ${TURN_WARMUP_SECONDS} s of warm-up per turn), added up per side, so that the machine's drift falls on all alike; ` +
    'in the others each Janus run came right after its floor run.'
  );
}

export function renderReport(info: RunInfo, rows: Row[], summaries: ModeSummary[]): string {
  const { shape } = info;
  const pinning = info.pinned
    ? 'servers pinned to core 0, load generator (autocannon, in the runner) to core 1 with taskset'
    : '**not pinned** (no taskset or fewer than 2 cores): servers and load share the cores';
  const lines = [
    `# Janus benchmark, ${info.date.toISOString()}`,
    '',
    `${shape.seconds} s measured after ${shape.warmupSeconds} s of warm-up per row, ${shape.connections} connections, ` +
      `BCRYPT_COST ${info.bcryptCost}, libuv pool ${info.bcryptThreads}; ${pinning}. Only one server is loaded at a time. ` +
      `${turnsNote(shape)} Errors count only unexpected answers (a bad token is expected to get ` +
      '`UNAUTHENTICATED`: HTTP 200 on GraphQL, 401 from the floor).' +
      (info.nodeFlags.length ? ` Janus started as \`node ${info.nodeFlags.join(' ')} dist/src/main.js\`.` : ''),
    '',
    ...table(rows),
    ...(usesLittlesLaw(rows)
      ? [
          '',
          // Escaped: a line opening with a bare `*` would render as a list item.
          `\\${LITTLE_MARK} Fewer than 200 answers in the window: the rate is the number in flight (connections, or bcrypt ` +
            'operations) ÷ mean latency (Little\'s law), because a count of so few answers arriving in bursts is too coarse.',
        ]
      : []),
    '',
    ...(summaries.length ? [underLoginLine(summaries, shape.connections), ...memoryLines(summaries)] : []),
    embeddedVersusServerLine(rows),
    summaries.length
      ? `- Janus log lines written during load (LOG_LEVEL=warn): ${summaries.map((s) => `${s.db} ${s.logLinesDuringLoad}`).join(', ')}.`
      : undefined,
    '- Ceiling: a bare graphql-yoga server (production defaults, no auth, no database) answering the same `me` ' +
      'selection from a constant, on GraphQL and through the same SOFA plugin on `GET /rest/me` (bench/yoga-ceiling.ts): ' +
      'Janus ÷ ceiling is the share of the framework\'s own rate that Janus keeps.',
    '- Floors: one floor process serves both modes and always queries the PostgreSQL server (an embedded database belongs ' +
      'to the Janus that holds it, and an operator connection to it would empty that Janus\'s principal cache), so embedded rows compare Janus-with-PGlite to a ' +
      'floor on the server database. Login and registration floors are bcrypt alone (compare, hash) on the server core ' +
      `with ${info.bcryptThreads} operations in flight.`,
    `- Machine: Node ${info.node}, ${info.cores} cores (${info.cpuModel}), Linux ${info.kernel}, PostgreSQL ${info.postgres} ` +
      `on 127.0.0.1 (unpinned). Run took ${Math.round(info.elapsedSeconds)} s.`,
    '',
  ];
  return lines.filter((line) => line !== undefined).join('\n');
}
