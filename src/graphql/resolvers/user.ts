import type { QueryResolvers, UserResolvers } from '../../../generated/resolvers-types.ts';
import { principalOf } from '../principal.ts';

export const Query: QueryResolvers = {
  me: (_parent, _args, context) => principalOf(context).user,
};

export const User: UserResolvers = {
  role: (user) => user.role.name,
};
