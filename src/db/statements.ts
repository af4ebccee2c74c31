import type { MikroORM } from '@mikro-orm/postgresql';

/** Runs one fixed SQL text with the values for its `?` placeholders, and resolves its rows. */
export type Statement<Row> = (values: readonly unknown[]) => Promise<Row[]>;

/** Makes the statements that run on every request of some kind (the principal lookup, the rotation). */
export type Statements = <Row>(name: string, sql: string) => Statement<Row>;

/**
 * On a PostgreSQL server each statement is a named prepared statement on the ORM's pg pool (same
 * connections, same type parsing): the server parses and plans it once per connection instead of
 * on every call. Kept by the 15% rule: it lifts the server's refresh row from 0.30× to 0.54× its
 * floor and its GraphQL `me` row from 0.74× to 0.94× the bare-Yoga ceiling (docs/performance.md).
 *
 * On the embedded database each runs as one simple-query message with the values inlined and
 * escaped, through the ORM's connection: pglite-socket queues each protocol message of every
 * connection into PGlite's one session, so the Parse/Bind/Execute of one connection can meet
 * another's in between, and a name one connection prepared already exists for the next.
 *
 * `?` must appear in `sql` only as a placeholder. Connection failures surface as the raw pg errors
 * that the error mapping treats as SERVICE_UNAVAILABLE.
 */
export function createStatements(orm: MikroORM, options: { prepare: boolean }): Statements {
  if (!options.prepare) {
    return (_name, sql) => (values) => orm.em.getConnection().execute(sql, [...values]);
  }
  return <Row>(name: string, sql: string): Statement<Row> => {
    let position = 0;
    const text = sql.replace(/\?/g, () => `$${++position}`);
    return async (values) => {
      const pool = await orm.em.getConnection().getNativeClient();
      const { rows } = await pool.query<Row & object>({ name, text, values: [...values] });
      return rows;
    };
  };
}
