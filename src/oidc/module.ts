import { purgeExpiredOidcModels } from './adapter.ts';
import { defineModule } from '../modules/module.ts';
import { createOAuthClientService, type OAuthClientService } from './clients.ts';
import { OidcModel } from './oidc-model.entity.ts';
import { revokeGrantSessions } from './grant-sessions.ts';
import * as resolvers from './resolvers.ts';

declare module '../graphql/context.ts' {
  interface ModuleServices {
    oauthClients: OAuthClientService;
  }
}

/**
 * Janus as an OpenID Provider (docs/oidc.md): its clients here, through the schema; the provider
 * itself, its pages and userinfo are mounted by the server (src/oidc/provider.ts, endpoint.ts).
 */
export const module = defineModule({
  name: 'oidc',
  sdl: [new URL('./oidc.graphql', import.meta.url)],
  resolvers: { Query: resolvers.Query, Mutation: resolvers.Mutation },
  entities: [OidcModel],
  purges: { oidcModels: purgeExpiredOidcModels },
  migrations: new URL('./migrations/', import.meta.url),
  permissions: ['clients:read', 'clients:write'],
  services: {
    oauthClients: ({ database, services, permissions }) =>
      createOAuthClientService({
        orm: database.orm,
        audit: services.audit,
        permissions,
        revokeSessions: (ids) => revokeGrantSessions(database.orm, services.tokens, ids),
      }),
  },
});
