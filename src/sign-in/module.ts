import { purgeExpiredSignIns } from './purge.ts';
import { defineModule } from '../modules/module.ts';
import { Identity, SignInState } from './entities.ts';
import { createProviderClients } from './providers.ts';
import * as resolvers from './resolvers.ts';
import { createSignInService, type SignInService } from './service.ts';

declare module '../graphql/context.ts' {
  interface ModuleServices {
    signIn: SignInService;
  }
}

/** Sign-in at OpenID providers and GitHub, and the identities linked to accounts (docs/sign-in.md). */
export const module = defineModule({
  name: 'signIn',
  sdl: [new URL('./sign-in.graphql', import.meta.url)],
  operations: [new URL('./operations/sign-in.graphql', import.meta.url)],
  resolvers: { Query: resolvers.Query, Mutation: resolvers.Mutation },
  mappers: { Identity: new URL('./entities.ts#Identity', import.meta.url) },
  entities: [Identity, SignInState],
  purges: { signInStates: purgeExpiredSignIns },
  migrations: new URL('./migrations/', import.meta.url),
  services: {
    signIn: ({ config, database, services, signInMethods }) =>
      createSignInService({
        orm: database.orm,
        clients: createProviderClients(config.signIn),
        redirectUris: config.signIn.redirectUris,
        tokens: services.tokens,
        mfa: services.mfa,
        audit: services.audit,
        sessionRule: services.sessionRule,
        signInMethods,
      }),
  },
  // Identities and sign-ins under way go with the user (ON DELETE CASCADE).
  signInMethods: (em, userId) => em.count(Identity, { user: userId }),
});
