import { authOperations } from './operations.ts';
import type { OperationCall } from './surfaces.ts';

/** The token lifecycle operations, each as a GraphQL and a REST call. */
export const authCalls = {
  login: (email: string, password: string): OperationCall => ({
    document: authOperations, operationName: 'LoginUser', field: 'loginUser', variables: { email, password },
    rest: { method: 'POST', path: '/login-user', body: { email, password } },
  }),
  me: (): OperationCall => ({
    document: authOperations, operationName: 'Me', field: 'me', rest: { method: 'GET', path: '/me' },
  }),
  refresh: (refreshToken: string): OperationCall => ({
    document: authOperations, operationName: 'RefreshToken', field: 'refreshToken', variables: { refreshToken },
    rest: { method: 'POST', path: '/refresh-token', body: { refreshToken } },
  }),
  logout: (refreshToken: string): OperationCall => ({
    document: authOperations, operationName: 'LogoutUser', field: 'logoutUser', variables: { refreshToken },
    rest: { method: 'POST', path: '/logout-user', body: { refreshToken } },
  }),
  logoutAll: (): OperationCall => ({
    document: authOperations, operationName: 'LogoutAll', field: 'logoutAll', rest: { method: 'POST', path: '/logout-all' },
  }),
  changePassword: (currentPassword: string, newPassword: string): OperationCall => ({
    document: authOperations, operationName: 'ChangePassword', field: 'changePassword',
    variables: { currentPassword, newPassword },
    rest: { method: 'POST', path: '/change-password', body: { currentPassword, newPassword } },
  }),
};
