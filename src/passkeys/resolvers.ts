import type { MutationResolvers, QueryResolvers } from '../../generated/resolvers-types.ts';
import { principalOf } from '../graphql/principal.ts';

// Access (and the recent login registration needs) was decided before execution from the SDL.
export const Query: QueryResolvers = {
  passkeys: (_parent, _args, context) => context.services.passkeys.list(principalOf(context).user.id),
};

export const Mutation: MutationResolvers = {
  startPasskeyRegistration: (_parent, _args, context) => context.services.passkeys.startRegistration(principalOf(context).user.id),
  finishPasskeyRegistration: (_parent, { response, name }, context) =>
    context.services.passkeys.finishRegistration(principalOf(context).user.id, response, name),
  renamePasskey: (_parent, { id, name }, context) => context.services.passkeys.rename(principalOf(context).user.id, id, name),
  deletePasskey: async (_parent, { id }, context) => {
    await context.services.passkeys.remove(principalOf(context).user.id, id);
    return true;
  },
  startPasskeyLogin: (_parent, { email }, { services }) => services.passkeys.startLogin(email),
  finishPasskeyLogin: (_parent, { challengeId, response }, { services }) => services.passkeys.finishLogin(challengeId, response),
};
