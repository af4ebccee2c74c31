import type { MutationResolvers, QueryResolvers, RoleResolvers } from '../../../generated/resolvers-types.ts';
import { permissionsOf } from '../../roles/permissions.ts';

export const Query: QueryResolvers = {
  roles: (_parent, _args, { services }) => services.roles.list(),
};

export const Mutation: MutationResolvers = {
  createRole: (_parent, args, { services }) => services.roles.create(args),
  assignRole: (_parent, { userId, role }, { services }) => services.roles.assign(userId, role),
};

export const Role: RoleResolvers = {
  permissions: (role) => permissionsOf(role),
};
