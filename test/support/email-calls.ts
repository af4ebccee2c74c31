import type { RestClient } from './clients.ts';
import {
  RequestPasswordResetDocument,
  ResendVerificationEmailDocument,
  ResetPasswordDocument,
  VerifyEmailDocument,
} from '../../generated/client/graphql.ts';

/** The email operations, each through the typed GraphQL documents and the typed REST client. */
export const emailCalls = {
  requestPasswordReset: (email: string) => ({
    document: RequestPasswordResetDocument, field: 'requestPasswordReset' as const, variables: { email },
    rest: (client: RestClient) => client.POST('/request-password-reset', { body: { email } }),
  }),
  resetPassword: (token: string, newPassword: string) => ({
    document: ResetPasswordDocument, field: 'resetPassword' as const, variables: { token, newPassword },
    rest: (client: RestClient) => client.POST('/reset-password', { body: { token, newPassword } }),
  }),
  verifyEmail: (token: string) => ({
    document: VerifyEmailDocument, field: 'verifyEmail' as const, variables: { token },
    rest: (client: RestClient) => client.POST('/verify-email', { body: { token } }),
  }),
  resendVerificationEmail: () => ({
    document: ResendVerificationEmailDocument, field: 'resendVerificationEmail' as const, variables: {},
    rest: (client: RestClient) => client.POST('/resend-verification-email'),
  }),
};
