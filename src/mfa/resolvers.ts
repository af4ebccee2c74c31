import type { MutationResolvers } from '../../generated/resolvers-types.ts';
import { principalOf } from '../graphql/principal.ts';

export const Mutation: MutationResolvers = {
  enrollTotp: (_parent, _args, context) => context.services.mfa.enrollTotp(principalOf(context).user.id),
  confirmTotp: (_parent, { code }, context) => {
    const { user, claims } = principalOf(context);
    return context.services.mfa.confirmTotp(user.id, claims.sid, code);
  },
  disableTotp: async (_parent, { code }, context) => {
    await context.services.mfa.disableTotp(principalOf(context).user.id, code);
    return true;
  },
  regenerateRecoveryCodes: (_parent, _args, context) => context.services.mfa.regenerateRecoveryCodes(principalOf(context).user.id),
  verifyMfa: (_parent, { mfaToken, code }, { services }) => services.mfa.verify(mfaToken, code),
};
