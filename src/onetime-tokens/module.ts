import { defineModule } from '../modules/module.ts';
import { OneTimeToken } from './one-time-token.entity.ts';

/** Single-use tokens of the email links (no operations of their own). */
export const module = defineModule({ name: 'onetime-tokens', entities: [OneTimeToken] });
