import { defineModule } from '../modules/module.ts';
import * as resolvers from './resolvers.ts';
import { Role } from './role.entity.ts';
import { createRoleService } from './service.ts';

/** Roles and the permissions they grant. */
export const module = defineModule({
  name: 'roles',
  sdl: [new URL('./roles.graphql', import.meta.url)],
  resolvers: { Query: resolvers.Query, Mutation: resolvers.Mutation, Role: resolvers.Role },
  mappers: { Role: new URL('./role.entity.ts#Role', import.meta.url) },
  entities: [Role],
  migrations: new URL('./migrations/', import.meta.url),
  permissions: ['roles:read', 'roles:write'],
  services: {
    roles: ({ database, services }) => createRoleService({ orm: database.orm, audit: services.audit, tokens: services.tokens }),
  },
});
