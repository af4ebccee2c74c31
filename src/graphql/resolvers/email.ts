import type { MutationResolvers } from '../../../generated/resolvers-types.ts';
import { principalOf } from '../principal.ts';

export const Mutation: MutationResolvers = {
  requestPasswordReset: async (_parent, { email }, { services }) => {
    await services.emailFlows.requestPasswordReset(email);
    return true;
  },
  resetPassword: (_parent, { token, newPassword }, { services }) => services.emailFlows.resetPassword(token, newPassword),
  verifyEmail: (_parent, { token }, { services }) => services.emailFlows.verifyEmail(token),
  resendVerificationEmail: async (_parent, _args, context) => {
    await context.services.emailFlows.resendVerification(principalOf(context).user.id);
    return true;
  },
};
