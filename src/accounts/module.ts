import { defineModule } from '../modules/module.ts';
import * as resolvers from './resolvers.ts';
import { User } from './user.entity.ts';

/** Accounts: registration, login and logout, passwords, email flows, the operator's lifecycle actions. */
export const module = defineModule({
  name: 'accounts',
  sdl: ['user', 'auth', 'email', 'account-lifecycle'].map((name) => new URL(`./${name}.graphql`, import.meta.url)),
  resolvers: { Query: resolvers.Query, Mutation: resolvers.Mutation, User: resolvers.User },
  mappers: { User: new URL('./user-view.ts#UserView', import.meta.url) },
  entities: [User],
  permissions: ['users:read', 'users:write'],
  // A password is one way to sign in; accounts made at an identity provider have none.
  signInMethods: (em, userId) => em.count(User, { id: userId, passwordHash: { $ne: null } }),
});
