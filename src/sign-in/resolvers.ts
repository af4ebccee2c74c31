import type { MutationResolvers, QueryResolvers } from '../../generated/resolvers-types.ts';
import { principalOf } from '../graphql/principal.ts';

export const Query: QueryResolvers = {
  signInProviders: (_parent, _args, { services }) => services.signIn.providers(),
  identities: (_parent, _args, context) => context.services.signIn.identities(principalOf(context).user.id),
};

export const Mutation: MutationResolvers = {
  startSignIn: (_parent, { provider, redirectUri }, { services }) => services.signIn.start(provider, redirectUri),
  completeSignIn: (_parent, { provider, code, state }, { services }) => services.signIn.complete(provider, code, state),
  startLinkIdentity: (_parent, { provider, redirectUri }, context) =>
    context.services.signIn.start(provider, redirectUri, principalOf(context).user.id),
  linkIdentity: (_parent, { provider, code, state }, context) =>
    context.services.signIn.link(principalOf(context).user.id, provider, code, state),
  unlinkIdentity: async (_parent, { provider }, context) => {
    await context.services.signIn.unlink(principalOf(context).user.id, provider);
    return true;
  },
};
