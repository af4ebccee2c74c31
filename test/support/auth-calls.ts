import type { RestClient } from './clients.ts';
import {
  ChangePasswordDocument,
  LoginUserDocument,
  LogoutAllDocument,
  LogoutUserDocument,
  MeDocument,
  RefreshTokenDocument,
  RegisterUserDocument,
  type AuthPayloadFieldsFragment,
  type RegisterUserMutationVariables,
  type RegistrationFieldsFragment,
} from '../../generated/client/graphql.ts';

/** The token lifecycle operations, each through the typed GraphQL documents and the typed REST client. */
export const authCalls = {
  register: (variables: RegisterUserMutationVariables) => ({
    document: RegisterUserDocument, field: 'registerUser' as const, variables,
    rest: (client: RestClient) => client.POST('/register-user', { body: variables }),
  }),
  login: (email: string, password: string) => ({
    document: LoginUserDocument, field: 'loginUser' as const, variables: { email, password },
    rest: (client: RestClient) => client.POST('/login-user', { body: { email, password } }),
  }),
  me: () => ({
    document: MeDocument, field: 'me' as const, variables: {},
    rest: (client: RestClient) => client.GET('/me'),
  }),
  refresh: (refreshToken: string) => ({
    document: RefreshTokenDocument, field: 'refreshToken' as const, variables: { refreshToken },
    rest: (client: RestClient) => client.POST('/refresh-token', { body: { refreshToken } }),
  }),
  logout: (refreshToken: string) => ({
    document: LogoutUserDocument, field: 'logoutUser' as const, variables: { refreshToken },
    rest: (client: RestClient) => client.POST('/logout-user', { body: { refreshToken } }),
  }),
  logoutAll: () => ({
    document: LogoutAllDocument, field: 'logoutAll' as const, variables: {},
    rest: (client: RestClient) => client.POST('/logout-all'),
  }),
  /** Without a current password: an account that has none gets its first. */
  changePassword: (currentPassword: string | undefined, newPassword: string) => ({
    document: ChangePasswordDocument, field: 'changePassword' as const, variables: { currentPassword, newPassword },
    rest: (client: RestClient) => client.POST('/change-password', { body: { currentPassword, newPassword } }),
  }),
};

/** A registration's answer as the session it opened (JANUS_REQUIRE_VERIFIED_EMAIL off); throws when it opened none. */
export function sessionOf(registered: RegistrationFieldsFragment | undefined): AuthPayloadFieldsFragment {
  if (!registered?.token || !registered.refreshToken) throw new Error('the registration opened no session');
  return { ...registered, token: registered.token, refreshToken: registered.refreshToken };
}
