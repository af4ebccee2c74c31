import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { OutboxMessage } from './outbox-message.entity.ts';
import type { Mail } from './templates.ts';

/** A claimed row, as the sender delivers it. */
export interface OutgoingMail extends Mail {
  id: number;
  /** This attempt's number, from 1. */
  attempt: number;
}

export interface Outbox {
  /** Whether mail goes anywhere: when not, nothing is queued. */
  readonly enabled: boolean;
  /** Adds `mail` to the caller's unit of work: it is queued by the same commit as the change it announces. */
  enqueue(em: EntityManager, mail: Mail): void;
  /** Tells this process's sender that a commit queued mail, so that it need not wait for its next poll. */
  queued(): void;
  onQueued(listener: () => void): void;
  /**
   * Takes up to `limit` due rows for this sender alone: each is leased for `leaseSeconds`, during
   * which no other sender (in this or another instance) selects it.
   */
  claim(limit: number, leaseSeconds: number): Promise<OutgoingMail[]>;
  /** Delivered: the bodies (which may hold a one-time token) are emptied. */
  markSent(id: number): Promise<void>;
  /** Failed: tried again at `retryAt`, or never again when `retryAt` is null. */
  markFailed(id: number, error: string, retryAt: Date | null): Promise<void>;
  /** Rows still to send. */
  backlog(): Promise<number>;
}

interface ClaimedRow {
  id: string | number;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
  attempts: number;
}

const ERROR_MAX_LENGTH = 500;

export function createOutbox(options: { orm: MikroORM; enabled: boolean }): Outbox {
  const { orm, enabled } = options;
  const listeners: (() => void)[] = [];
  const connection = () => orm.em.getConnection();
  return {
    enabled,
    enqueue(em, mail) {
      if (!enabled) return;
      em.create(OutboxMessage, { recipient: mail.to, subject: mail.subject, textBody: mail.text, htmlBody: mail.html });
    },
    queued() {
      if (enabled) for (const listener of listeners) listener();
    },
    onQueued(listener) {
      listeners.push(listener);
    },
    async claim(limit, leaseSeconds) {
      // One statement: the rows are locked while it runs (SKIP LOCKED passes over the ones another
      // sender is claiming) and leased by the time it commits, so no two senders take one row.
      const rows = await connection().execute<ClaimedRow[]>(
        `update outbox set attempts = attempts + 1, next_attempt_at = ?
         where id in (
           select id from outbox
           where sent_at is null and failed_at is null and next_attempt_at <= ?
           order by next_attempt_at, id
           limit ?
           for update skip locked)
         returning id, recipient, subject, text_body, html_body, attempts`,
        [new Date(Date.now() + leaseSeconds * 1000), new Date(), limit],
      );
      return rows.map((row) => ({
        id: Number(row.id),
        to: row.recipient,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        attempt: row.attempts,
      }));
    },
    async markSent(id) {
      await connection().execute(
        `update outbox set sent_at = ?, text_body = '', html_body = '', last_error = null where id = ?`,
        [new Date(), id],
      );
    },
    async markFailed(id, error, retryAt) {
      await connection().execute(
        `update outbox set last_error = ?, next_attempt_at = coalesce(?, next_attempt_at), failed_at = ? where id = ?`,
        [error.slice(0, ERROR_MAX_LENGTH), retryAt, retryAt ? null : new Date(), id],
      );
    },
    async backlog() {
      const rows = await connection().execute<{ count: string | number }[]>(
        'select count(*) as count from outbox where sent_at is null and failed_at is null',
      );
      return Number(rows[0]?.count ?? 0);
    },
  };
}
