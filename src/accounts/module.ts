import { createMailThrottle } from '../mail/throttle.ts';
import { loadTemplates } from '../mail/templates.ts';
import { defineModule } from '../modules/module.ts';
import { createAccountMail, type AccountMail } from './account-mail.ts';
import { createEmailFlows } from './email-flows.ts';
import { createAccountLifecycle } from './lifecycle.ts';
import { createPasswordHasher, type PasswordHasher } from './passwords.ts';
import * as resolvers from './resolvers.ts';
import { createAccountService } from './service.ts';
import { createSessionRule, type SessionRule } from './session-rule.ts';
import { User } from './user.entity.ts';

declare module '../modules/module.ts' {
  interface Internals {
    passwords: PasswordHasher;
    /** Who may hold a session (disabled accounts, unverified addresses): one rule for every way in. */
    sessionRule: SessionRule;
    /** The mails accounts send (verification, reset, notices), queued in the caller's transaction. */
    accountMail: AccountMail;
  }
}

/** Accounts: registration, login and logout, passwords, email flows, the operator's lifecycle actions. */
export const module = defineModule({
  name: 'accounts',
  sdl: ['user', 'auth', 'email', 'account-lifecycle'].map((name) => new URL(`./${name}.graphql`, import.meta.url)),
  resolvers: { Query: resolvers.Query, Mutation: resolvers.Mutation, User: resolvers.User },
  mappers: { User: new URL('./user-view.ts#UserView', import.meta.url) },
  entities: [User],
  migrations: new URL('./migrations/', import.meta.url),
  permissions: ['users:read', 'users:write'],
  services: {
    passwords: ({ config, observeHashing }) => createPasswordHasher(config.bcryptCost, { maxWaiting: config.bcryptQueue, observe: observeHashing }),
    sessionRule: ({ config }) => createSessionRule({ requireVerifiedEmail: config.mail.requireVerifiedEmail }),
    accountMail: ({ config, services }) =>
      createAccountMail({
        outbox: services.outbox,
        throttle: createMailThrottle({ minIntervalSeconds: config.mail.minIntervalSeconds }),
        templates: loadTemplates(config.mail.templatesDir),
        tokens: services.oneTimeTokens,
        appUrl: config.mail.appUrl,
      }),
    accounts: ({ database, services: s }) =>
      createAccountService({ orm: database.orm, passwords: s.passwords, tokens: s.tokens, mfa: s.mfa, audit: s.audit, mail: s.accountMail, sessionRule: s.sessionRule }),
    lifecycle: ({ config, database, services: s, eraseUser }) =>
      createAccountLifecycle({
        orm: database.orm,
        passwords: s.passwords,
        tokens: s.tokens,
        audit: s.audit,
        mail: s.accountMail,
        eraseOwned: eraseUser,
        reauthMaxAgeSeconds: config.reauthMaxAgeSeconds,
      }),
    emailFlows: ({ database, services: s }) =>
      createEmailFlows({
        orm: database.orm,
        passwords: s.passwords,
        tokens: s.tokens,
        oneTimeTokens: s.oneTimeTokens,
        mfa: s.mfa,
        mail: s.accountMail,
        audit: s.audit,
        sessionRule: s.sessionRule,
      }),
  },
  // A password is one way to sign in; accounts made at an identity provider have none.
  signInMethods: (em, userId) => em.count(User, { id: userId, passwordHash: { $ne: null } }),
});
