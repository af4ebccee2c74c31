import {
  CompleteSignInDocument,
  IdentitiesDocument,
  LinkIdentityDocument,
  SignInProvidersDocument,
  StartLinkIdentityDocument,
  StartSignInDocument,
  UnlinkIdentityDocument,
} from '../../generated/client/graphql.ts';
import type { RestClient } from './clients.ts';

/** The sign-in operations (src/sign-in), each through the typed GraphQL documents and the typed REST client. */
export const signInCalls = {
  providers: () => ({
    document: SignInProvidersDocument, field: 'signInProviders' as const, variables: {},
    rest: (client: RestClient) => client.GET('/sign-in-providers'),
  }),
  start: (provider: string, redirectUri: string) => ({
    document: StartSignInDocument, field: 'startSignIn' as const, variables: { provider, redirectUri },
    rest: (client: RestClient) => client.POST('/start-sign-in', { body: { provider, redirectUri } }),
  }),
  complete: (provider: string, code: string, state: string) => ({
    document: CompleteSignInDocument, field: 'completeSignIn' as const, variables: { provider, code, state },
    rest: (client: RestClient) => client.POST('/complete-sign-in', { body: { provider, code, state } }),
  }),
  startLink: (provider: string, redirectUri: string) => ({
    document: StartLinkIdentityDocument, field: 'startLinkIdentity' as const, variables: { provider, redirectUri },
    rest: (client: RestClient) => client.POST('/start-link-identity', { body: { provider, redirectUri } }),
  }),
  link: (provider: string, code: string, state: string) => ({
    document: LinkIdentityDocument, field: 'linkIdentity' as const, variables: { provider, code, state },
    rest: (client: RestClient) => client.POST('/link-identity', { body: { provider, code, state } }),
  }),
  identities: () => ({
    document: IdentitiesDocument, field: 'identities' as const, variables: {},
    rest: (client: RestClient) => client.GET('/identities'),
  }),
  unlink: (provider: string) => ({
    document: UnlinkIdentityDocument, field: 'unlinkIdentity' as const, variables: { provider },
    rest: (client: RestClient) => client.POST('/unlink-identity', { body: { provider } }),
  }),
};
