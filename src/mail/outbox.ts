import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { OutboxMessage } from './outbox-message.entity.ts';
import type { Mail } from './templates.ts';

/** A claimed row, as the sender delivers it. */
export interface OutgoingMail extends Mail {
  id: number;
  /** This attempt's number, from 1. */
  attempt: number;
  /** The lease this sender holds on the row: completing it needs the same token. */
  claimToken: string;
}

export interface Outbox {
  /** Whether mail goes anywhere: when not, nothing is queued. */
  readonly enabled: boolean;
  /**
   * Adds `mail` to the caller's unit of work: it is queued by the same commit as the change it
   * announces. `userId` is the account it is about: erasing that account erases the mail.
   */
  enqueue(em: EntityManager, mail: Mail, userId: string | null): void;
  /**
   * Queues `mail` about the user `userId` at once, in one statement of the caller's transaction,
   * or nothing when no user has that id: a request about an address without an account runs the
   * same statement with an id that matches no user (docs/enumeration.md).
   */
  enqueueForUser(em: EntityManager, mail: Mail, userId: string): Promise<void>;
  /** Tells this process's sender that a commit queued mail, so that it need not wait for its next poll. */
  queued(): void;
  onQueued(listener: () => void): void;
  /**
   * Takes the next due row for this sender alone (status sending), leased for `leaseMs` under a
   * new claim token: no other sender (in this or another instance) takes it while the lease lasts.
   * A row whose lease ran out (its sender died) is due again.
   */
  claim(leaseMs: number): Promise<OutgoingMail | null>;
  /** Extends the lease while the attempt lasts; false when the row is no longer this sender's. */
  renew(mail: OutgoingMail, leaseMs: number): Promise<boolean>;
  /** Delivered: the bodies (which may hold a one-time token) are emptied. False when the lease was lost. */
  markSent(mail: OutgoingMail): Promise<boolean>;
  /**
   * Failed: tried again at `retryAt` (status failed), or never again when `retryAt` is null
   * (status abandoned, bodies emptied). False when the lease was lost.
   */
  markFailed(mail: OutgoingMail, error: string, retryAt: Date | null): Promise<boolean>;
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
/** The statuses of a row still to send; the due index covers exactly these. */
const PENDING = `('queued', 'sending', 'failed')`;

export function createOutbox(options: { orm: MikroORM; enabled: boolean }): Outbox {
  const { orm, enabled } = options;
  const listeners: (() => void)[] = [];
  const connection = () => orm.em.getConnection();
  /** Runs an update of the row `mail` names, only while this sender's claim on it holds. */
  const whileHeld = async (mail: OutgoingMail, set: string, values: unknown[]): Promise<boolean> => {
    const result = await connection().execute<{ affectedRows: number }>(
      `update outbox set ${set} where id = ? and claim_token = ? and status = 'sending'`,
      [...values, mail.id, mail.claimToken],
      'run',
    );
    return result.affectedRows > 0;
  };
  return {
    enabled,
    enqueue(em, mail, userId) {
      if (!enabled) return;
      em.create(OutboxMessage, { user: userId, recipient: mail.to, subject: mail.subject, textBody: mail.text, htmlBody: mail.html });
    },
    async enqueueForUser(em, mail, userId) {
      if (!enabled) return;
      const now = new Date();
      await em.execute(
        `insert into outbox (user_id, recipient, subject, text_body, html_body, next_attempt_at, created_at)
         select id, ?, ?, ?, ?, ?, ? from users where id = ?`,
        [mail.to, mail.subject, mail.text, mail.html, now, now, userId],
        'run',
      );
    },
    queued() {
      if (enabled) for (const listener of listeners) listener();
    },
    onQueued(listener) {
      listeners.push(listener);
    },
    async claim(leaseMs) {
      const claimToken = randomUUID();
      // One statement: the row is locked while it runs (SKIP LOCKED passes over one another sender
      // is claiming) and leased by the time it commits. One row per claim: a lease covers one
      // attempt, never mail still waiting behind it.
      const rows = await connection().execute<ClaimedRow[]>(
        `update outbox set status = 'sending', attempts = attempts + 1, claim_token = ?, next_attempt_at = ?
         where id in (
           select id from outbox
           where status in ${PENDING} and next_attempt_at <= ?
           order by next_attempt_at, id
           limit 1
           for update skip locked)
         returning id, recipient, subject, text_body, html_body, attempts`,
        [claimToken, new Date(Date.now() + leaseMs), new Date()],
      );
      const row = rows[0];
      if (!row) return null;
      return {
        id: Number(row.id),
        to: row.recipient,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        attempt: row.attempts,
        claimToken,
      };
    },
    renew: (mail, leaseMs) => whileHeld(mail, 'next_attempt_at = ?', [new Date(Date.now() + leaseMs)]),
    markSent: (mail) =>
      whileHeld(mail, `status = 'sent', sent_at = ?, text_body = '', html_body = '', last_error = null, claim_token = null`, [new Date()]),
    markFailed: (mail, error, retryAt) =>
      retryAt
        ? whileHeld(mail, `status = 'failed', last_error = ?, next_attempt_at = ?, claim_token = null`, [error.slice(0, ERROR_MAX_LENGTH), retryAt])
        : whileHeld(mail, `status = 'abandoned', last_error = ?, failed_at = ?, text_body = '', html_body = '', claim_token = null`, [
            error.slice(0, ERROR_MAX_LENGTH),
            new Date(),
          ]),
    async backlog() {
      const rows = await connection().execute<{ count: string | number }[]>(`select count(*) as count from outbox where status in ${PENDING}`);
      return Number(rows[0]?.count ?? 0);
    },
  };
}
