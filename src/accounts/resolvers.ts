import type { MutationResolvers, QueryResolvers, UserResolvers } from '../../generated/resolvers-types.ts';
import { principalOf } from '../graphql/principal.ts';

export const Query: QueryResolvers = {
  me: (_parent, _args, context) => principalOf(context).user,
  user: (_parent, { id }, { services }) => services.accounts.getUser(id),
  users: (_parent, { first, after }, { services }) => services.accounts.listUsers(first, after),
};

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
  disableUser: (_parent, { userId }, { services }) => services.lifecycle.disable(userId),
  enableUser: (_parent, { userId }, { services }) => services.lifecycle.enable(userId),
  deleteUser: async (_parent, { userId }, { services }) => {
    await services.lifecycle.remove(userId);
    return true;
  },
  deleteMe: async (_parent, { password }, context) => {
    const { user, claims } = principalOf(context);
    await context.services.lifecycle.removeOwn(user.id, password, claims.auth_time);
    return true;
  },
};

export const User: UserResolvers = {
  role: (user) => user.role.name,
};
