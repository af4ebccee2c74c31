import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../accounts/user.entity.ts';

/**
 * A mail's state, as Kratos's courier records it: `queued` until a sender claims it, `sending`
 * while one holds its lease, then `sent`, `failed` (tried again at `next_attempt_at`) or
 * `abandoned` (after the last attempt).
 */
export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'failed', 'abandoned'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * A mail waiting to be sent, written in the same transaction as the change it announces, so
 * that the change and its mail exist together or not at all. Its bodies are emptied once it is
 * delivered: they may carry a one-time token.
 */
const OutboxMessageSchema = defineEntity({
  name: 'OutboxMessage',
  tableName: 'outbox',
  // The sender's claim reads only the rows still to send, oldest due first.
  indexes: [
    {
      name: 'outbox_due_index',
      expression: `create index "outbox_due_index" on "outbox" ("next_attempt_at") where "status" in ('queued', 'sending', 'failed')`,
    },
  ],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    /** The account the mail is about: erasing it erases its mail (queued mail is cancelled). */
    user: () => p.manyToOne(User).deleteRule('cascade').nullable().index(),
    recipient: p.string().length(254),
    subject: p.string().length(255),
    textBody: p.text(),
    htmlBody: p.text(),
    status: p.string().length(16).$type<OutboxStatus>().default('queued'),
    /** Attempts so far, the one under way included. */
    attempts: p.integer().default(0),
    /** The lease of the sender holding the row: only that sender may complete it. */
    claimToken: p.uuid().nullable(),
    /** Due time; while a sender holds the row, the end of its lease. */
    nextAttemptAt: p.datetime().onCreate(() => new Date()),
    sentAt: p.datetime().nullable(),
    /** Set when the sender gave up after its last attempt (status abandoned). */
    failedAt: p.datetime().nullable(),
    lastError: p.string().length(500).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class OutboxMessage extends OutboxMessageSchema.class {}
OutboxMessageSchema.setClass(OutboxMessage);
