import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEvent } from './audit-event.entity.ts';

/** Deletes audit events older than `retentionDays` (JANUS_AUDIT_RETENTION_DAYS). */
export function purgeOldAuditEvents(em: EntityManager, retentionDays: number, now: Date): Promise<number> {
  return em.nativeDelete(AuditEvent, { createdAt: { $lt: new Date(now.getTime() - retentionDays * 86_400_000) } });
}
