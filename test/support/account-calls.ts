import {
  DeleteMeDocument,
  DeleteUserDocument,
  DisableUserDocument,
  EnableUserDocument,
  RevokeSessionDocument,
  SessionsDocument,
  UserDisabledDocument,
} from '../../generated/client/graphql.ts';
import type { RestClient } from './clients.ts';

/** Sessions and account lifecycle operations, each through the typed GraphQL documents and the typed REST client. */
export const accountCalls = {
  sessions: () => ({
    document: SessionsDocument, field: 'sessions' as const, variables: {},
    rest: (client: RestClient) => client.GET('/sessions'),
  }),
  revokeSession: (id: string) => ({
    document: RevokeSessionDocument, field: 'revokeSession' as const, variables: { id },
    rest: (client: RestClient) => client.POST('/revoke-session', { body: { id } }),
  }),
  userDisabled: (id: string) => ({
    document: UserDisabledDocument, field: 'user' as const, variables: { id },
    rest: (client: RestClient) => client.GET('/user/{id}', { params: { path: { id } } }),
  }),
  disableUser: (userId: string) => ({
    document: DisableUserDocument, field: 'disableUser' as const, variables: { userId },
    rest: (client: RestClient) => client.POST('/disable-user', { body: { userId } }),
  }),
  enableUser: (userId: string) => ({
    document: EnableUserDocument, field: 'enableUser' as const, variables: { userId },
    rest: (client: RestClient) => client.POST('/enable-user', { body: { userId } }),
  }),
  deleteUser: (userId: string) => ({
    document: DeleteUserDocument, field: 'deleteUser' as const, variables: { userId },
    rest: (client: RestClient) => client.POST('/delete-user', { body: { userId } }),
  }),
  /** Without a password: an account that has none (signed up at a provider) confirms with a recent login. */
  deleteMe: (password?: string) => ({
    document: DeleteMeDocument, field: 'deleteMe' as const, variables: { password },
    rest: (client: RestClient) => client.POST('/delete-me', { body: { password } }),
  }),
};
