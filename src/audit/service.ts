import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { decodeCursor, pageSize, toPage, type Page } from '../shared/pagination.ts';
import { currentRequest } from '../shared/request-context.ts';
import { AuditEvent, type AuditEventName } from './audit-event.entity.ts';

export interface AuditLog {
  /**
   * Adds an event to the caller's unit of work, so that it is written in the same transaction as
   * the change it records, or not at all. Who asked and from where come from the request.
   */
  record(em: EntityManager, event: AuditEventName, userId: string | null): void;
  /**
   * Erasure, inside the caller's transaction: the events about the user, or caused by them, keep
   * the id as a tombstone but lose where they came from (IP, user agent). Flushes first, so that
   * events this unit of work holds are covered too.
   */
  forget(em: EntityManager, userId: string): Promise<void>;
  /** Writes an event that has no change to go with it (a failed login). */
  recordAlone(event: AuditEventName, userId: string | null): Promise<void>;
  /** Newest first. */
  list(first: number | null | undefined, after: string | null | undefined): Promise<Page<AuditEvent>>;
}

/** Who asked and from where, as the trail records it: for statements that write their event themselves. */
export interface Requester {
  /** The authenticated caller, if any; the statement leaves it out when it is the user the event is about. */
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export function currentRequester(): Requester {
  const request = currentRequest();
  return {
    actorId: request?.actorId ?? null,
    ip: request?.ip ?? null,
    userAgent: request?.userAgent ?? null,
    requestId: request?.requestId ?? null,
  };
}

const SEQUENCE = /^[1-9][0-9]{0,17}$/;

export function createAuditLog(deps: { orm: MikroORM }): AuditLog {
  const { orm } = deps;
  const record = (em: EntityManager, event: AuditEventName, userId: string | null): void => {
    const request = currentRequest();
    em.create(AuditEvent, {
      event,
      userId,
      actorId: request?.actorId && request.actorId !== userId ? request.actorId : null,
      ip: request?.ip ?? null,
      userAgent: request?.userAgent ?? null,
      requestId: request?.requestId ?? null,
    });
  };
  return {
    record,
    async forget(em, userId) {
      await em.flush();
      await em.nativeUpdate(AuditEvent, { $or: [{ userId }, { actorId: userId }] }, { ip: null, userAgent: null });
    },
    async recordAlone(event, userId) {
      const em = orm.em.fork();
      record(em, event, userId);
      await em.flush();
    },
    async list(first, after) {
      const size = pageSize(first);
      const where = after ? { id: { $lt: Number(decodeCursor(after, (key) => SEQUENCE.test(key))) } } : {};
      const rows = await orm.em.fork().find(AuditEvent, where, { orderBy: { id: 'desc' }, limit: size + 1 });
      return toPage(rows, size);
    },
  };
}
