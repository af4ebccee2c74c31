import { defineModule } from '../modules/module.ts';
import { OutboxMessage } from './outbox-message.entity.ts';

/** The mail outbox (no operations of its own: the account flows queue mail). */
export const module = defineModule({ name: 'mail', entities: [OutboxMessage] });
