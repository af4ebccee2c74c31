import type { MikroORM } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';

/** Session, user and role of an access token, as one row. */
export interface PrincipalRow {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  phone_number: string;
  created_at: Date;
  token_version: number;
  role_name: string;
  role_permissions: string[];
}

/** The tables the query reads: a change to any other table leaves its answers as they were. */
export const PRINCIPAL_TABLES: readonly string[] = ['sessions', 'users', 'roles'];

/** The query, with the placeholder syntax of whoever sends it. */
const principalSql = (sessionId: string, userId: string): string => `
  select u.id, u.email, u.first_name, u.last_name, u.phone_number, u.created_at, u.token_version,
         r.name as role_name, r.permissions as role_permissions
  from sessions s
  join users u on u.id = s.user_id
  join roles r on r.id = u.role_id
  where s.id = ${sessionId} and s.user_id = ${userId} and s.revoked_at is null`;

/**
 * The revocation check that runs on every authenticated request: the caller's live session and
 * user, in one indexed query.
 *
 * On a PostgreSQL server it goes to MikroORM's own pg pool (same connections, same type parsing)
 * as a named prepared statement, one name per pooled connection: the server neither parses nor
 * plans it again, and the ORM's per-call query building is skipped. Connection failures surface
 * as the raw pg errors the error mapping already treats as SERVICE_UNAVAILABLE.
 *
 * Not on the embedded database: pglite-socket queues each protocol message of each connection on
 * its own into PGlite's single session, so the Parse/Bind/Execute of one connection can meet
 * another connection's statements in between (measured under concurrent logins: "portal does not
 * exist", and other queries' rows). There it goes through the ORM, which sends one simple-query
 * message with the values inlined and escaped.
 */
export function createPrincipalQuery(
  orm: MikroORM,
  options: { prepared: boolean },
): (sessionId: string, userId: string) => Promise<PrincipalRow | undefined> {
  if (!options.prepared) {
    const sql = principalSql('?', '?');
    return async (sessionId, userId) => (await orm.em.getConnection().execute<PrincipalRow[]>(sql, [sessionId, userId]))[0];
  }
  const text = principalSql('$1', '$2');
  const statementNames = new WeakMap<PoolClient, string>();
  let prepared = 0;
  const nameFor = (client: PoolClient): string => {
    let name = statementNames.get(client);
    if (!name) statementNames.set(client, (name = `janus_principal_${++prepared}`));
    return name;
  };
  return async (sessionId, userId) => {
    const pool = await orm.em.getConnection().getNativeClient();
    const client = await pool.connect();
    try {
      const { rows } = await client.query<PrincipalRow>({ name: nameFor(client), text, values: [sessionId, userId] });
      client.release();
      return rows[0];
    } catch (error) {
      // As pool.query does: a connection that failed a query is not handed out again.
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  };
}
