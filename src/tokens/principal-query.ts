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

const PRINCIPAL_SQL = `
  select u.id, u.email, u.first_name, u.last_name, u.phone_number, u.created_at, u.token_version,
         r.name as role_name, r.permissions as role_permissions
  from sessions s
  join users u on u.id = s.user_id
  join roles r on r.id = u.role_id
  where s.id = $1 and s.user_id = $2 and s.revoked_at is null`;

/**
 * The revocation check that runs on every authenticated request: the caller's live session and
 * user, in one indexed query. It goes to MikroORM's own pg pool (same connections, same type
 * parsing) as a named prepared statement: the database neither parses nor plans it again, and
 * the ORM's query building, which is per call, is skipped. Connection failures surface as the
 * raw pg errors the error mapping already treats as SERVICE_UNAVAILABLE.
 *
 * Each pooled connection gets a statement name of its own. pg prepares a name once per
 * connection, which on a PostgreSQL server is one session each; the embedded database (PGlite)
 * serves every connection from one session, where a name prepared by one connection already
 * exists for the next. Names are never reused within a process, and PGlite lives only as long as
 * the process, so two connections never collide (src/db/orm.ts keeps embedded connections open,
 * so that statements are not left behind by connections coming and going).
 */
export function createPrincipalQuery(orm: MikroORM): (sessionId: string, userId: string) => Promise<PrincipalRow | undefined> {
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
      const { rows } = await client.query<PrincipalRow>({ name: nameFor(client), text: PRINCIPAL_SQL, values: [sessionId, userId] });
      client.release();
      return rows[0];
    } catch (error) {
      // As pool.query does: a connection that failed a query is not handed out again.
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  };
}
