import { parseArgs } from 'node:util';
import { whole } from './options.ts';

export interface SoakOptions {
  seconds: number;
  clients: number;
  bcryptCost: number;
  adminUrl: string;
  out: string | undefined;
}

export const SOAK_USAGE = `Usage: npm run soak -- [options]

  --seconds <s>               how long the mixed load runs (default 60)
  --quick                     15 s of load: a smoke run
  --clients <n>               concurrent virtual clients (default 16)
  --bcrypt-cost <n>           Janus's BCRYPT_COST (default 4: the soak is about state and
                              connections, not bcrypt, and cheap hashes mean more requests)
  --pg-url <url>              PostgreSQL server to create the soak database on
                              (default postgres://postgres@127.0.0.1:5432/test)
  --out <file>                where to write the report (default bench/results/soak.md)
`;

/** Undefined for --help. */
export function parseSoakOptions(argv: string[]): SoakOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      seconds: { type: 'string' },
      quick: { type: 'boolean', default: false },
      clients: { type: 'string' },
      'bcrypt-cost': { type: 'string' },
      'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  return {
    seconds: whole('seconds', values.seconds, values.quick ? 15 : 60, 1, 3600),
    clients: whole('clients', values.clients, 16, 1, 256),
    bcryptCost: whole('bcrypt-cost', values['bcrypt-cost'], 4, 4, 15),
    adminUrl: values['pg-url'],
    out: values.out,
  };
}
