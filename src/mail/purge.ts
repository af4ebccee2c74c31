import type { EntityManager, QueryResult } from '@mikro-orm/postgresql';

/**
 * How long a delivered mail's row stays (its bodies are emptied on delivery): long enough to
 * answer "did the mail go out, and when?" for a recent request, short enough that the outbox
 * holds no lasting record of who was mailed. A constant, not a setting: nothing reads older rows.
 */
export const SENT_MAIL_RETENTION_DAYS = 7;

/** Deletes delivered mail older than SENT_MAIL_RETENTION_DAYS; unsent and failed rows stay. */
export async function purgeSentMail(em: EntityManager, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - SENT_MAIL_RETENTION_DAYS * 86_400_000);
  const { affectedRows } = await em.execute<QueryResult>('delete from outbox where sent_at < ?', [cutoff], 'run');
  return affectedRows;
}
