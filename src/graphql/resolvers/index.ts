import type { Resolvers } from '../../../generated/resolvers-types.ts';
import { DateTime } from '../scalars.ts';
import * as audit from './audit.ts';
import * as auth from './auth.ts';
import * as mfa from './mfa.ts';
import * as lifecycle from './lifecycle.ts';
import * as email from './email.ts';
import * as roles from './roles.ts';
import * as sessions from './sessions.ts';
import * as user from './user.ts';

export const resolvers: Resolvers = {
  DateTime,
  Query: { ...user.Query, ...roles.Query, ...audit.Query, ...sessions.Query },
  Mutation: { ...auth.Mutation, ...email.Mutation, ...roles.Mutation, ...mfa.Mutation, ...sessions.Mutation, ...lifecycle.Mutation },
  User: user.User,
  Role: roles.Role,
  AuditEvent: audit.AuditEvent,
};
