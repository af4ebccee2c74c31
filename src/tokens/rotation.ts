import type { SessionRule } from '../accounts/session-rule.ts';
import type { Requester } from '../audit/service.ts';
import type { Statements } from '../db/statements.ts';
import { PRINCIPAL_COLUMNS, type PrincipalRow } from './principal-query.ts';

export interface RotationSettings {
  refreshTokenTtlSeconds: number;
  sessionMaxAgeSeconds: number;
  reuseIntervalSeconds: number;
}

/** The session's user, how and when its login was proven, as the new access token and the answer need them. */
export type RotatedRow = PrincipalRow & { session_id: string; amr: string[]; auth_time: number };

/** The session's login time in whole seconds (the access token's `auth_time`), as a number on either database. */
const AUTH_TIME = 'floor(extract(epoch from s.created_at))::double precision as auth_time';

/**
 * What a token that could not be claimed is: `ineligible` (unused and unexpired, but the session
 * rule refuses its user, e.g. disabled: said only to whoever holds such a token), `refused` (unused, but expired, in a revoked
 * session or one past its maximum age), `replay` (rotated within the reuse interval, its successor still
 * unused: answer with that successor), `reuse` (rotated earlier, or its successor has moved on:
 * the session has just been revoked). No row: no such token.
 */
export type ReplayRow = RotatedRow & { verdict: 'refused' | 'ineligible' | 'replay' | 'reuse'; successor_id: string | null };

// Each statement binds its parameters once, in order, in its first CTE `i` (the `?`
// placeholders are positional), and names them there for the rest of the statement.
const REQUESTER_INPUT = `?::uuid as actor_id, ?::varchar as ip, ?::varchar as user_agent, ?::varchar as request_id`;

const auditColumns = 'insert into audit_events (event, user_id, actor_id, ip, user_agent, request_id, created_at)';
const auditValues = (userId: string) => `${userId}, nullif(i.actor_id, ${userId}), i.ip, i.user_agent, i.request_id, now()`;

/**
 * Rotation in one statement, so one round trip and no transaction held open across the network:
 * claim the presented token (the row lock on it is the race arbiter: of N concurrent uses one
 * finds it unused), check its expiry, its session's revocation and maximum age, store the
 * successor (whose expiry never passes the session's maximum age), write the audit event, and
 * read what the answer needs. Extend the claim's WHERE for further conditions on the session or
 * user, and add a CTE updating `sessions` for what a refresh should record there.
 */
const claimSql = (rule: SessionRule) => `
  with i as (
    select ?::varchar as presented_hash, ?::uuid as successor_id, ?::varchar as successor_hash,
      make_interval(secs => ?::double precision) as ttl,
      make_interval(secs => ?::double precision) as max_age,
      ${REQUESTER_INPUT}
  ), claimed as (
    update refresh_tokens t
    set used_at = now(), successor_id = i.successor_id
    from i, sessions s join users u on u.id = s.user_id
    where t.token_hash = i.presented_hash and t.used_at is null and t.expires_at > now()
      and s.id = t.session_id and s.revoked_at is null and s.created_at > now() - i.max_age and ${rule.sql('u')}
    returning t.session_id, s.amr, ${AUTH_TIME}, u.id as user_id, least(now() + i.ttl, s.created_at + i.max_age) as successor_expires_at
  ), touched as (
    update sessions s set last_used_at = now(), ip = i.ip, user_agent = i.user_agent
    from claimed c, i where s.id = c.session_id
  ), successor as (
    insert into refresh_tokens (id, session_id, token_hash, expires_at, created_at)
    select i.successor_id, c.session_id, i.successor_hash, c.successor_expires_at, now() from claimed c, i
  ), audited as (
    ${auditColumns}
    select 'token.refresh', ${auditValues('c.user_id')} from claimed c, i
  )
  select c.session_id, c.amr, c.auth_time, ${PRINCIPAL_COLUMNS}
  from claimed c join users u on u.id = c.user_id join roles r on r.id = u.role_id`;

/**
 * For a token the claim did not take, in one statement: judge it, revoke its session on reuse,
 * and audit a replay or a reuse.
 */
const judgeSql = (rule: SessionRule) => `
  with i as (
    select ?::varchar as presented_hash,
      make_interval(secs => ?::double precision) as reuse_interval,
      make_interval(secs => ?::double precision) as max_age,
      ${REQUESTER_INPUT}
  ), presented as (
    select t.session_id, s.amr, ${AUTH_TIME}, s.user_id, t.successor_id,
      case
        when t.used_at is null and t.expires_at > now() and not (${rule.sql('u')}) then 'ineligible'
        when t.used_at is null then 'refused'
        when t.used_at > now() - i.reuse_interval and s.revoked_at is null and s.created_at > now() - i.max_age
          and successor.used_at is null and successor.expires_at > now() then 'replay'
        else 'reuse'
      end as verdict
    from i
    join refresh_tokens t on t.token_hash = i.presented_hash
    join sessions s on s.id = t.session_id
    join users u on u.id = s.user_id
    left join refresh_tokens successor on successor.id = t.successor_id
  ), revoked as (
    update sessions s set revoked_at = now()
    from presented p where s.id = p.session_id and p.verdict = 'reuse' and s.revoked_at is null
  ), audited as (
    ${auditColumns}
    select case p.verdict when 'replay' then 'token.refresh_replay' else 'token.reuse_detected' end, ${auditValues('p.user_id')}
    from presented p, i where p.verdict in ('replay', 'reuse')
  )
  select p.verdict, p.successor_id, p.session_id, p.amr, p.auth_time, ${PRINCIPAL_COLUMNS}
  from presented p join users u on u.id = p.user_id join roles r on r.id = u.role_id`;

export interface Rotation {
  /** Undefined when the token could not be claimed: then `judge` says why. */
  claim(
    presentedHash: string,
    successor: { id: string; hash: string },
    requester: Requester,
  ): Promise<RotatedRow | undefined>;
  judge(presentedHash: string, requester: Requester): Promise<ReplayRow | undefined>;
}

/** Both statements run as `statements` makes them (db/statements.ts), without the ORM's query building, unit of work or entities. */
export function createRotation(statements: Statements, settings: RotationSettings, rule: SessionRule): Rotation {
  const { refreshTokenTtlSeconds, sessionMaxAgeSeconds, reuseIntervalSeconds } = settings;
  const claimStatement = statements<RotatedRow>('janus_refresh_claim', claimSql(rule));
  const judgeStatement = statements<ReplayRow>('janus_refresh_judge', judgeSql(rule));
  const requesterValues = (requester: Requester) => [requester.actorId, requester.ip, requester.userAgent, requester.requestId];
  return {
    async claim(presentedHash, successor, requester) {
      const values = [presentedHash, successor.id, successor.hash, refreshTokenTtlSeconds, sessionMaxAgeSeconds, ...requesterValues(requester)];
      return (await claimStatement(values))[0];
    },
    async judge(presentedHash, requester) {
      const values = [presentedHash, reuseIntervalSeconds, sessionMaxAgeSeconds, ...requesterValues(requester)];
      return (await judgeStatement(values))[0];
    },
  };
}
