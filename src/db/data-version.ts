/**
 * A number that changes whenever rows that already exist in some tables may have changed (been
 * updated or deleted; adding rows does not count). Whoever reads it before a query for existing
 * rows and finds it unchanged afterwards knows the answer still holds. Only the embedded database
 * has them: every change to it passes through this process (see embedded.ts), whereas a
 * PostgreSQL server is written to by other processes too.
 */
export interface DataVersion {
  current(): number;
}

/** Data versions of an embedded database, one for any set of its tables. */
export interface TableVersions {
  versionOf(tables: readonly string[]): DataVersion;
}

/** Whose existing rows a message may change: no table's, one table's, or any table's. */
export type Changed = ReadonlySet<string> | 'anything';

const NOTHING: Changed = new Set();
const QUERY = 0x51; // 'Q', a simple-query message
const HEADER_BYTES = 5; // message type and length
const decoder = new TextDecoder();

const READS = /^select\s/i;
const TRANSACTION_CONTROL = /^(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release)\b/i;
// A plain INSERT only adds rows (an upsert is not plain). An UPDATE changes rows of the one table
// it names; anything else about it (its values, a RETURNING, a FROM it reads) cannot change
// another. A DELETE may cascade into other tables, so it counts as changing any, like every
// statement that fits none of these exactly.
const ADDS_ROWS = /^insert\s+into\s+"?[a-z_][a-z0-9_]*"?\s*\(/i;
const UPSERT = /\bon\s+conflict\b/i;
const UPDATES_ONE_TABLE = /^update\s+"?([a-z_][a-z0-9_]*)"?\s+set\s/i;

/**
 * The tables whose existing rows a PostgreSQL frontend message may change once executed. Only a
 * simple query holding one statement (no ";" before its end) is read: a SELECT, a transaction
 * command or a plain INSERT changes none, an UPDATE changes its one table. Every other statement
 * and every extended-protocol message (an Execute runs a statement parsed earlier) may change
 * any. Erring this way costs a cache miss, never a stale answer. It relies on what Janus's schema
 * has and its code does: no triggers or rules, no UPDATE of a key other rows refer to (a cascade
 * would carry it into their table), no SELECT of a function that writes.
 */
export function tablesChangedBy(message: Uint8Array): Changed {
  if (message[0] !== QUERY) return 'anything';
  // The query text ends with a NUL byte; a trailing ";" ends the one statement.
  const sql = decoder.decode(message.subarray(HEADER_BYTES, message.length - 1)).trim().replace(/;\s*$/, '');
  if (sql.includes(';')) return 'anything';
  if (READS.test(sql) || TRANSACTION_CONTROL.test(sql)) return NOTHING;
  if (UPSERT.test(sql)) return 'anything';
  if (ADDS_ROWS.test(sql)) return NOTHING;
  const table = UPDATES_ONE_TABLE.exec(sql)?.[1];
  return table ? new Set([table.toLowerCase()]) : 'anything';
}
