import type { MikroORM } from '@mikro-orm/postgresql';
import { createAccountMail, type AccountMail } from '../../src/accounts/account-mail.ts';
import { createOutbox } from '../../src/mail/outbox.ts';
import { createMailThrottle } from '../../src/mail/throttle.ts';
import { loadTemplates } from '../../src/mail/templates.ts';
import { createOneTimeTokens } from '../../src/onetime-tokens/service.ts';

/** The real account mail (tokens, templates, outbox) of a database, for tests that build services by hand. */
export function accountMailFor(orm: MikroORM): AccountMail {
  return createAccountMail({
    outbox: createOutbox({ orm, enabled: true }),
    throttle: createMailThrottle({ minIntervalSeconds: 0 }),
    templates: loadTemplates(undefined),
    tokens: createOneTimeTokens({ ttlSeconds: { reset_password: 3600, verify_email: 86_400 } }),
    appUrl: 'http://app.test',
  });
}
