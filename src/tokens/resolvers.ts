import type { MutationResolvers, QueryResolvers } from '../../generated/resolvers-types.ts';
import { principalOf } from '../graphql/principal.ts';

export const Query: QueryResolvers = {
  sessions: (_parent, _args, context) => {
    const { user, claims } = principalOf(context);
    return context.services.sessions.list(user.id, claims.sid);
  },
};

export const Mutation: MutationResolvers = {
  revokeSession: async (_parent, { id }, context) => {
    await context.services.sessions.revoke(principalOf(context).user.id, id);
    return true;
  },
};
