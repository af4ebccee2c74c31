import type { MutationResolvers } from '../../../generated/resolvers-types.ts';
import { principalOf } from '../principal.ts';

export const Mutation: MutationResolvers = {
  disableUser: (_parent, { userId }, { services }) => services.lifecycle.disable(userId),
  enableUser: (_parent, { userId }, { services }) => services.lifecycle.enable(userId),
  deleteUser: async (_parent, { userId }, { services }) => {
    await services.lifecycle.remove(userId);
    return true;
  },
  deleteMe: async (_parent, { password }, context) => {
    await context.services.lifecycle.removeOwn(principalOf(context).user.id, password);
    return true;
  },
};
