import type { MikroORM } from '@mikro-orm/postgresql';
import type { TokenService } from '../tokens/service.ts';
import { Session } from '../tokens/session.entity.ts';
import { isUuid } from '../shared/uuid.ts';

/**
 * Ends the Janus sessions of revoked grants (a grant's id is its session's): their access tokens
 * fail on their next request, on every instance.
 */
export async function revokeGrantSessions(orm: MikroORM, tokens: Pick<TokenService, 'invalidate'>, grantIds: readonly string[]): Promise<void> {
  // Only Janus's own grants have session ids; anything else has no session to end.
  const ids = grantIds.filter(isUuid);
  if (ids.length === 0) return;
  const em = orm.em.fork();
  const sessions = await em.find(Session, { id: { $in: ids }, revokedAt: null }, { fields: ['id', 'user'] });
  if (sessions.length === 0) return;
  await em.nativeUpdate(Session, { id: { $in: sessions.map((session) => session.id) } }, { revokedAt: new Date() });
  for (const session of sessions) tokens.invalidate(session.user.id);
}
