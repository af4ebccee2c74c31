import type { SessionRule } from '../accounts/session-rule.ts';
import type { Statements } from '../db/statements.ts';

/** Session, user and role of an access token, as one row: only for a live session of a user the session rule lets hold one. */
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

const principalSql = (rule: SessionRule) => `
  select ${PRINCIPAL_COLUMNS}
  from sessions s
  join users u on u.id = s.user_id
  join roles r on r.id = u.role_id
  where s.id = ? and s.user_id = ? and s.revoked_at is null and ${rule.sql('u')}`;

/**
 * The revocation check that runs on every authenticated request: the caller's live session and
 * user, in one indexed query, so that a revocation by any process, the CLI or psql included, shows
 * on the next request. On the embedded database its answers are cached (principal-cache.ts) and
 * dropped by whatever revokes. It runs as `statements` makes it (db/statements.ts).
 */
export function createPrincipalQuery(
  statements: Statements,
  rule: SessionRule,
): (sessionId: string, userId: string) => Promise<PrincipalRow | undefined> {
  const principal = statements<PrincipalRow>('janus_principal', principalSql(rule));
  return async (sessionId, userId) => (await principal([sessionId, userId]))[0];
}
