import type { MutationResolvers } from '../../../generated/resolvers-types.ts';
import { principalOf } from '../principal.ts';

export const Mutation: MutationResolvers = {
  registerUser: (_parent, args, { services }) => services.accounts.register(args),
  loginUser: (_parent, { email, password }, { services }) => services.accounts.login(email, password),
  refreshToken: (_parent, { refreshToken }, { services }) => services.tokens.refresh(refreshToken),
  logoutUser: async (_parent, { refreshToken }, { services }) => {
    await services.tokens.logout(refreshToken);
    return true;
  },
  logoutAll: async (_parent, _args, context) => {
    await context.services.tokens.logoutEverywhere(principalOf(context).user.id);
    return true;
  },
  changePassword: (_parent, { currentPassword, newPassword }, context) =>
    context.services.accounts.changePassword(principalOf(context).user.id, currentPassword, newPassword, principalOf(context).claims.amr),
};
