import type { MutationResolvers, QueryResolvers, RoleResolvers } from '../../generated/resolvers-types.ts';
import { permissionsOf } from './permissions.ts';
import { principalOf } from '../graphql/principal.ts';

export const Query: QueryResolvers = {
  roles: (_parent, _args, { services }) => services.roles.list(),
};

export const Mutation: MutationResolvers = {
  createRole: (_parent, args, context) => context.services.roles.create(args, { userId: principalOf(context).user.id }),
  assignRole: (_parent, { userId, role }, context) =>
    context.services.roles.assign(userId, role, { userId: principalOf(context).user.id }),
};

export const Role: RoleResolvers = {
  permissions: (role) => permissionsOf(role),
};
