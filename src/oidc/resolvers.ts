import type { MutationResolvers, QueryResolvers } from '../../generated/resolvers-types.ts';

export const Query: QueryResolvers = {
  oauthClients: (_parent, _args, { services }) => services.oauthClients.list(),
};

export const Mutation: MutationResolvers = {
  createOAuthClient: (_parent, args, { services }) => services.oauthClients.create(args),
  deleteOAuthClient: async (_parent, { clientId }, { services }) => {
    await services.oauthClients.remove(clientId);
    return true;
  },
};
