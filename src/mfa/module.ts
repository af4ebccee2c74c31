import { purgeExpiredChallenges } from './purge.ts';
import { defineModule } from '../modules/module.ts';
import { createSecretBox, type SecretBox } from './encryption.ts';
import { MfaChallenge, MfaFailures, RecoveryCode, UserTotp } from './entities.ts';
import * as resolvers from './resolvers.ts';
import { createMfaService } from './service.ts';

declare module '../modules/module.ts' {
  interface Internals {
    /** Encrypts TOTP secrets at rest with the key ring's encryption keys. */
    secretBox: SecretBox;
  }
}

/** The second factor: TOTP enrolment, recovery codes, MFA challenges. */
export const module = defineModule({
  name: 'mfa',
  sdl: [new URL('./mfa.graphql', import.meta.url)],
  resolvers: { Mutation: resolvers.Mutation },
  entities: [UserTotp, RecoveryCode, MfaChallenge, MfaFailures],
  purges: { mfaChallenges: purgeExpiredChallenges },
  migrations: new URL('./migrations/', import.meta.url),
  services: {
    secretBox: ({ keys }) => createSecretBox(keys.encryption),
    mfa: ({ config, database, services }) =>
      createMfaService({
        orm: database.orm,
        secrets: services.secretBox,
        tokens: services.tokens,
        audit: services.audit,
        mail: services.accountMail,
        sessionRule: services.sessionRule,
        failureLimit: config.mfaFailureLimit,
        requireVerifiedAddress: services.outbox.enabled,
        issuer: config.totpIssuer,
      }),
  },
});
