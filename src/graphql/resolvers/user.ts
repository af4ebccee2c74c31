import type { QueryResolvers, UserResolvers } from '../../../generated/resolvers-types.ts';
import { principalOf } from '../principal.ts';

export const Query: QueryResolvers = {
  me: (_parent, _args, context) => principalOf(context).user,
  user: (_parent, { id }, { services }) => services.accounts.getUser(id),
  users: (_parent, { first, after }, { services }) => services.accounts.listUsers(first, after),
};

export const User: UserResolvers = {
  role: (user) => user.role.name,
};
