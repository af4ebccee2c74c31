import type { MikroORM } from '@mikro-orm/postgresql';
import type { AuditLog } from '../audit/service.ts';
import { NotFoundError } from '../shared/errors.ts';
import { isUuid } from '../shared/uuid.ts';
import type { TokenService } from './service.ts';
import { Session } from './session.entity.ts';

/** One live session as its owner sees it. */
export interface SessionSummary {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
  ip: string | null;
  /** The session of the access token in use. */
  current: boolean;
}

export interface SessionService {
  /** The user's live sessions (neither revoked nor past their refresh token's expiry), newest first. */
  list(userId: string, currentSessionId: string): Promise<SessionSummary[]>;
  /**
   * Ends one live session of the user; its access tokens fail on their next use. Any other id
   * (another user's session, a revoked one, an unknown or malformed id) is NOT_FOUND alike.
   */
  revoke(userId: string, sessionId: string): Promise<void>;
}

interface SessionRow {
  id: string;
  created_at: Date;
  last_used_at: Date;
  user_agent: string | null;
  ip: string | null;
}

// A session lives while its latest refresh token (the one not yet exchanged) is unexpired.
const LIVE_SESSIONS_SQL = `
  select s.id, s.created_at, s.last_used_at, s.user_agent, s.ip
  from sessions s
  where s.user_id = ? and s.revoked_at is null
    and exists (select 1 from refresh_tokens t where t.session_id = s.id and t.used_at is null and t.expires_at > ?)
  order by s.created_at desc, s.id desc`;

export function createSessionService(deps: {
  orm: MikroORM;
  audit: Pick<AuditLog, 'record'>;
  tokens: Pick<TokenService, 'invalidate'>;
}): SessionService {
  const { orm, audit, tokens } = deps;
  const notFound = () => new NotFoundError('No session with this id');
  return {
    async list(userId, currentSessionId) {
      const rows = await orm.em.fork().execute<SessionRow[]>(LIVE_SESSIONS_SQL, [userId, new Date()]);
      return rows.map((row) => ({
        id: row.id,
        createdAt: row.created_at,
        lastUsedAt: row.last_used_at,
        userAgent: row.user_agent,
        ip: row.ip,
        current: row.id === currentSessionId,
      }));
    },

    async revoke(userId, sessionId) {
      if (!isUuid(sessionId)) throw notFound();
      await orm.em.fork().transactional(async (em) => {
        const ended = await em.nativeUpdate(Session, { id: sessionId, user: userId, revokedAt: null }, { revokedAt: new Date() });
        if (ended === 0) throw notFound();
        audit.record(em, 'session.revoke', userId);
        // Before the commit, as revokeEverything does (service.ts says why that is sound).
        tokens.invalidate(userId);
      });
    },
  };
}
