import { defineModule } from '../modules/module.ts';
import { MailThrottleEntry } from './mail-throttle.entity.ts';
import { OutboxMessage } from './outbox-message.entity.ts';

/** The mail outbox and throttle (no operations of their own: the account flows queue mail). */
export const module = defineModule({ name: 'mail', entities: [OutboxMessage, MailThrottleEntry] });
