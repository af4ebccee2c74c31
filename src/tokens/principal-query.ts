import type { MikroORM } from '@mikro-orm/postgresql';

/** Session, user and role of an access token, as one row: only for a live session of an enabled user. */
export interface PrincipalRow {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  phone_number: string;
  created_at: Date;
  mfa_enabled: boolean;
  email_verified: boolean;
  token_version: number;
  disabled: boolean;
  role_name: string;
  role_permissions: string[];
}

/** The columns of a PrincipalRow, from users `u` joined to their roles `r`. */
export const PRINCIPAL_COLUMNS = `u.id, u.email, u.first_name, u.last_name, u.phone_number, u.created_at, u.mfa_enabled, u.email_verified, u.token_version, u.disabled,
  r.name as role_name, r.permissions as role_permissions`;

const PRINCIPAL_SQL = `
  select ${PRINCIPAL_COLUMNS}
  from sessions s
  join users u on u.id = s.user_id
  join roles r on r.id = u.role_id
  where s.id = ? and s.user_id = ? and s.revoked_at is null and not u.disabled`;

/**
 * The revocation check that runs on every authenticated request: the caller's live session and
 * user, in one indexed query, read from the database every time on both databases (nothing is
 * cached: a revocation by any process, the CLI or psql included, shows on the next request).
 *
 * It goes through the ORM's connection, which sends one simple-query message with the values
 * inlined and escaped. Not a prepared statement: pglite-socket queues each protocol message of each
 * connection on its own into PGlite's single session, so the Parse/Bind/Execute of one connection
 * can meet another connection's statements in between ("portal does not exist", other queries'
 * rows). Connection failures surface as the raw pg errors the error mapping already treats as
 * SERVICE_UNAVAILABLE.
 */
export function createPrincipalQuery(orm: MikroORM): (sessionId: string, userId: string) => Promise<PrincipalRow | undefined> {
  return async (sessionId, userId) => (await orm.em.getConnection().execute<PrincipalRow[]>(PRINCIPAL_SQL, [sessionId, userId]))[0];
}
