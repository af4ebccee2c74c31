import { mailDeliveryOf } from '../config/config.ts';
import { purgeSentMail } from './purge.ts';
import { defineModule } from '../modules/module.ts';
import { MailThrottleEntry } from './mail-throttle.entity.ts';
import { createOutbox } from './outbox.ts';
import { OutboxMessage } from './outbox-message.entity.ts';

/** The mail outbox and throttle (no operations of their own: the account flows queue mail). */
export const module = defineModule({
  name: 'mail',
  entities: [OutboxMessage, MailThrottleEntry],
  purges: { sentMail: purgeSentMail },
  migrations: new URL('./migrations/', import.meta.url),
  services: {
    outbox: ({ config, database }) => createOutbox({ orm: database.orm, enabled: mailDeliveryOf(config) !== 'disabled' }),
  },
});
