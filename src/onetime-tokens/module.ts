import { purgeExpiredOneTimeTokens } from './purge.ts';
import { defineModule } from '../modules/module.ts';
import { OneTimeToken } from './one-time-token.entity.ts';
import { createOneTimeTokens, type OneTimeTokens } from './service.ts';

declare module '../modules/module.ts' {
  interface Internals {
    oneTimeTokens: OneTimeTokens;
  }
}

/** Single-use tokens of the email links (no operations of their own). */
export const module = defineModule({
  name: 'onetime-tokens',
  entities: [OneTimeToken],
  purges: { oneTimeTokens: purgeExpiredOneTimeTokens },
  services: {
    oneTimeTokens: ({ config }) =>
      createOneTimeTokens({ ttlSeconds: { reset_password: config.mail.resetTokenTtlSeconds, verify_email: config.mail.verifyTokenTtlSeconds } }),
  },
});
