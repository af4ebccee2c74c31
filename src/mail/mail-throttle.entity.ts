import { defineEntity, p } from '@mikro-orm/core';

/**
 * When the last mail of a kind was queued for an address (JANUS_MAIL_MIN_INTERVAL). The address
 * is kept only as its SHA-256: requests for addresses without an account leave a row too.
 */
const MailThrottleEntrySchema = defineEntity({
  name: 'MailThrottleEntry',
  tableName: 'mail_throttle',
  properties: {
    addressHash: p.string().length(64).primary(),
    kind: p.string().length(32).primary(),
    lastQueuedAt: p.datetime(),
  },
});

export class MailThrottleEntry extends MailThrottleEntrySchema.class {}
MailThrottleEntrySchema.setClass(MailThrottleEntry);
