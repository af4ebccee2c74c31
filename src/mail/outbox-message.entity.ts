import { defineEntity, p } from '@mikro-orm/core';

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
      expression: 'create index "outbox_due_index" on "outbox" ("next_attempt_at") where "sent_at" is null and "failed_at" is null',
    },
  ],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    recipient: p.string().length(254),
    subject: p.string().length(255),
    textBody: p.text(),
    htmlBody: p.text(),
    attempts: p.integer().default(0),
    /** Due time; while a sender holds the row, the end of its lease. */
    nextAttemptAt: p.datetime().onCreate(() => new Date()),
    sentAt: p.datetime().nullable(),
    /** Set when the sender gave up after its last attempt. */
    failedAt: p.datetime().nullable(),
    lastError: p.string().length(500).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class OutboxMessage extends OutboxMessageSchema.class {}
OutboxMessageSchema.setClass(OutboxMessage);
