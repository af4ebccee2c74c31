import type { MutationResolvers } from '../../../generated/resolvers-types.ts';

export const Mutation: MutationResolvers = {
  registerUser: (_parent, args, { services }) => services.accounts.register(args),
  loginUser: (_parent, { email, password }, { services }) => services.accounts.login(email, password),
};
