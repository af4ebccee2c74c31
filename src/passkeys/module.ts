import { hkdfSync } from 'node:crypto';
import { purgeExpiredPasskeyChallenges } from './purge.ts';
import { defineModule } from '../modules/module.ts';
import { Passkey, PasskeyChallenge } from './entities.ts';
import * as resolvers from './resolvers.ts';
import { createPasskeyService, type PasskeyService } from './service.ts';

declare module '../graphql/context.ts' {
  interface ModuleServices {
    passkeys: PasskeyService;
  }
}

/** Passkeys (WebAuthn): adding them to an account, and logging in with one (docs/sign-in.md). */
export const module = defineModule({
  name: 'passkeys',
  sdl: [new URL('./passkeys.graphql', import.meta.url)],
  operations: [new URL('./operations/passkeys.graphql', import.meta.url)],
  resolvers: { Query: resolvers.Query, Mutation: resolvers.Mutation },
  mappers: { Passkey: new URL('./entities.ts#Passkey', import.meta.url) },
  entities: [Passkey, PasskeyChallenge],
  purges: { passkeyChallenges: purgeExpiredPasskeyChallenges },
  migrations: new URL('./migrations/', import.meta.url),
  services: {
    passkeys: ({ config, database, keys, services, signInMethods }) =>
      createPasskeyService({
        orm: database.orm,
        audit: services.audit,
        tokens: services.tokens,
        sessionRule: services.sessionRule,
        webauthn: config.webauthn,
        requireVerifiedAddress: services.outbox.enabled,
        // A key of its own, derived from the encryption key: the same on every instance.
        hmacKey: Buffer.from(hkdfSync('sha256', keys.encryption.key, '', 'janus passkey decoys', 32)),
        signInMethods,
      }),
  },
  onUserErased: async (em, userId) => {
    await em.nativeDelete(PasskeyChallenge, { user: userId });
    await em.nativeDelete(Passkey, { user: userId });
  },  // Each passkey is a way to sign in (unlinkIdentity keeps the last one, src/sign-in).
  signInMethods: (em, userId) => em.count(Passkey, { user: userId }),
});
