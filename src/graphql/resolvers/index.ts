import type { Resolvers } from '../../../generated/resolvers-types.ts';
import { DateTime } from '../scalars.ts';
import * as auth from './auth.ts';
import * as user from './user.ts';

export const resolvers: Resolvers = {
  DateTime,
  Query: { ...user.Query },
  Mutation: { ...auth.Mutation },
  User: user.User,
};
