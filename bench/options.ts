import { parseArgs } from 'node:util';
import type { DatabaseMode } from './janus-process.ts';

export interface Options {
  modes: DatabaseMode[];
  warmupSeconds: number;
  seconds: number;
  connections: number;
  bcryptCost: number;
  adminUrl: string;
  out: string | undefined;
  /** Only the `me` and bad-token rows (with their floor and ceiling), no summaries. */
  onlyMe: boolean;
  onlyRefresh: boolean;
  /** Node flags Janus starts with, e.g. the embedded mode's memory recipe. */
  nodeFlags: string[];
  /** `NAME=VALUE` each: a variant Janus with that variable, measured in turns beside the plain one. */
  variantEnv: { name: string; value: string }[];
}

export const USAGE = `Usage: npm run bench -- [options]

  --db embedded|server|both   which database(s) Janus runs on (default both)
  --duration <s>              measured seconds per row (default 10)
  --warmup <s>                warm-up seconds before each row (default 3)
  --quick                     3 s measured, 2 s warm-up: a smoke run, not numbers to keep
  --only-me                   only the \`me\` and bad-token rows (floor, Janus and ceiling in turns)
  --only-refresh              only the refreshToken row (floor and Janus in turns)
  --connections <n>           concurrent connections per load (default 10)
  --bcrypt-cost <n>           Janus's BCRYPT_COST and the bcrypt floor's cost (default 12)
  --pg-url <url>              PostgreSQL server to create the bench database on
                              (default postgres://postgres@127.0.0.1:5432/test)
  --out <file>                where to write the report (default bench/results/latest.md)
  --node-flags="<flags>"      Node/V8 flags Janus starts with (e.g. the memory recipe of
                              docs/operations.md); the runner's environment is Janus's too
`;

export function whole(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
  return value;
}

/** Undefined for --help. */
export function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      db: { type: 'string', default: 'both' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'only-me': { type: 'boolean', default: false },
      'only-refresh': { type: 'boolean', default: false },
      connections: { type: 'string' },
      'bcrypt-cost': { type: 'string' },
      'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      out: { type: 'string' },
      'node-flags': { type: 'string', default: '' },
      'variant-env': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const modes: Record<string, DatabaseMode[]> = { embedded: ['embedded'], server: ['server'], both: ['server', 'embedded'] };
  const chosen = modes[values.db];
  if (!chosen) throw new Error('--db must be embedded, server or both');
  return {
    modes: chosen,
    seconds: whole('duration', values.duration, values.quick ? 3 : 10, 1, 600),
    warmupSeconds: whole('warmup', values.warmup, values.quick ? 2 : 3, 0, 120),
    connections: whole('connections', values.connections, 10, 1, 1000),
    bcryptCost: whole('bcrypt-cost', values['bcrypt-cost'], 12, 4, 15),
    adminUrl: values['pg-url'],
    out: values.out,
    onlyMe: values['only-me'],
    onlyRefresh: values['only-refresh'],
    nodeFlags: values['node-flags'].split(/\s+/).filter(Boolean),
    variantEnv: values['variant-env'].map((assignment) => {
      const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(assignment);
      if (!match) throw new Error(`--variant-env must be NAME=VALUE, not ${assignment}`);
      return { name: match[1]!, value: match[2]! };
    }),
  };
}
