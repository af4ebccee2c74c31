import { createAccessTokenService, type AccessTokenService } from '../auth/jwt.ts';
import { defineModule } from '../modules/module.ts';
import { RefreshToken } from './refresh-token.entity.ts';
import * as resolvers from './resolvers.ts';
import { createTokenService } from './service.ts';
import { Session } from './session.entity.ts';
import { createSessionService } from './sessions.ts';

declare module '../modules/module.ts' {
  interface Internals {
    /** Signs and checks access tokens with the key ring's keys; the token service is its one user. */
    accessTokens: AccessTokenService;
  }
}

/** Sessions and their refresh tokens. */
export const module = defineModule({
  name: 'tokens',
  sdl: [new URL('./sessions.graphql', import.meta.url)],
  resolvers: { Query: resolvers.Query, Mutation: resolvers.Mutation },
  entities: [Session, RefreshToken],
  migrations: new URL('./migrations/', import.meta.url),
  services: {
    accessTokens: ({ config, keys }) =>
      createAccessTokenService({
        key: keys.signing,
        verifyKeys: [keys.rsa, ...keys.previous],
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
        ttlSeconds: config.jwt.accessTokenTtlSeconds,
        claimShapes: config.jwt.claimShapes,
      }),
    tokens: ({ config, database, services }) =>
      createTokenService({
        orm: database.orm,
        statements: database.statements,
        accessTokens: services.accessTokens,
        audit: services.audit,
        rotation: {
          refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
          sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
          reuseIntervalSeconds: config.refreshReuseIntervalSeconds,
        },
        sessionRule: services.sessionRule,
        outsideClients: database.outsideClients,
      }),
    sessions: ({ database, services }) => createSessionService({ orm: database.orm, audit: services.audit, tokens: services.tokens }),
  },
});
