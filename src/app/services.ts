import type { Database } from '../db/orm.ts';
import type { JWK } from 'jose';
import { createAccountLifecycle } from '../accounts/lifecycle.ts';
import { createAccountMail } from '../accounts/account-mail.ts';
import { createEmailFlows } from '../accounts/email-flows.ts';
import { createAccountService } from '../accounts/service.ts';
import { createSessionRule } from '../accounts/session-rule.ts';
import { createOutbox } from '../mail/outbox.ts';
import { createMailThrottle } from '../mail/throttle.ts';
import { loadTemplates } from '../mail/templates.ts';
import { createOneTimeTokens } from '../onetime-tokens/service.ts';
import { createAuditLog } from '../audit/service.ts';
import { createPasswordHasher } from '../accounts/passwords.ts';
import { createAccessTokenService } from '../auth/jwt.ts';
import type { SigningKey, VerificationKey } from '../auth/keys.ts';
import { createSecretBox } from '../mfa/encryption.ts';
import { createMfaService } from '../mfa/service.ts';
import { createRoleService } from '../roles/service.ts';
import { createTokenService } from '../tokens/service.ts';
import { createSessionService } from '../tokens/sessions.ts';
import type { CoreServices, Services } from '../graphql/context.ts';
import { composition } from './composition.ts';
import type { Config } from './config.ts';

export type { Services };

export interface KeyRing {
  signing: SigningKey;
  previous: VerificationKey[];
  /** Encrypts TOTP secrets at rest. */
  encryption: { key: Buffer; previousKeys: Buffer[] };
}

export function createServices(
  config: Config,
  database: Pick<Database, 'orm' | 'outsideClients' | 'statements'>,
  keys: KeyRing,
  observeHashing?: (seconds: number) => void,
): Services {
  const accessTokens = createAccessTokenService({
    key: keys.signing,
    previousKeys: keys.previous,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTokenTtlSeconds,
  });
  const { orm } = database;
  const audit = createAuditLog({ orm });
  const sessionRule = createSessionRule({ requireVerifiedEmail: config.mail.requireVerifiedEmail });
  const tokens = createTokenService({
    orm,
    statements: database.statements,
    accessTokens,
    audit,
    rotation: {
      refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
      sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
      reuseIntervalSeconds: config.refreshReuseIntervalSeconds,
    },
    sessionRule,
    outsideClients: database.outsideClients,
  });
  const passwords = createPasswordHasher(config.bcryptCost, { maxWaiting: config.bcryptQueue, observe: observeHashing });
  const ttlSeconds = { reset_password: config.mail.resetTokenTtlSeconds, verify_email: config.mail.verifyTokenTtlSeconds };
  const oneTimeTokens = createOneTimeTokens({ ttlSeconds });
  const outbox = createOutbox({ orm, enabled: mailDeliveryOf(config) !== 'disabled' });
  const mail = createAccountMail({
    outbox,
    throttle: createMailThrottle({ minIntervalSeconds: config.mail.minIntervalSeconds }),
    templates: loadTemplates(config.mail.templatesDir),
    tokens: oneTimeTokens,
    appUrl: config.mail.appUrl,
    ttlSeconds,
  });
  const mfa = createMfaService({
    orm,
    secrets: createSecretBox(keys.encryption),
    tokens,
    audit,
    mail,
    sessionRule,
    failureLimit: config.mfaFailureLimit,
    requireVerifiedAddress: outbox.enabled,
    issuer: config.totpIssuer,
  });
  const accounts = createAccountService({ orm, passwords, tokens, mfa, audit, mail, sessionRule });
  const emailFlows = createEmailFlows({ orm, passwords, tokens, oneTimeTokens, mfa, mail, audit, sessionRule });
  const core: CoreServices = {
    accounts,
    lifecycle: createAccountLifecycle({ orm, passwords, tokens, audit, mail, eraseOwned: composition.eraseUser, reauthMaxAgeSeconds: config.reauthMaxAgeSeconds }),
    roles: createRoleService({ orm, audit, tokens }),
    tokens,
    sessions: createSessionService({ orm, audit, tokens }),
    audit,
    mfa,
    emailFlows,
    outbox,
  };
  // Each module fills the ModuleServices key it declares (src/modules/module.ts): the type of
  // each entry is checked in the module, the whole only here.
  const modules = composition.services({ orm, audit, core, sessionRule, signIn: config.signIn, signInMethods: composition.signInMethods });
  return { ...core, ...modules } as Services;
}

/** How mail leaves: over SMTP when configured, else as files outside production, else not at all. */
export function mailDeliveryOf(config: Config): 'smtp' | 'file' | 'disabled' {
  if (config.mail.smtpUrl) return 'smtp';
  return config.production ? 'disabled' : 'file';
}

/** What /.well-known/jwks.json publishes: every public key that verifies, none for HS256. */
export function publicJwksOf(keys: KeyRing): JWK[] {
  return [keys.signing, ...keys.previous].flatMap((key) => (key.publicJwk ? [key.publicJwk] : []));
}
