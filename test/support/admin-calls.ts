import {
  AssignRoleDocument,
  AuditEventsDocument,
  CreateRoleDocument,
  RolesDocument,
  UserDocument,
  UsersDocument,
  type CreateRoleMutationVariables,
} from '../../generated/client/graphql.ts';
import type { RestClient } from './clients.ts';

/** The operator operations, each through the typed GraphQL documents and the typed REST client. */
export const adminCalls = {
  user: (id: string) => ({
    document: UserDocument, field: 'user' as const, variables: { id },
    rest: (client: RestClient) => client.GET('/user/{id}', { params: { path: { id } } }),
  }),
  users: (first?: number, after?: string) => ({
    document: UsersDocument, field: 'users' as const, variables: { first, after },
    rest: (client: RestClient) => client.GET('/users', { params: { query: { first, after } } }),
  }),
  roles: () => ({
    document: RolesDocument, field: 'roles' as const, variables: {},
    rest: (client: RestClient) => client.GET('/roles'),
  }),
  createRole: (variables: CreateRoleMutationVariables & { permissions: string[] }) => ({
    document: CreateRoleDocument, field: 'createRole' as const, variables,
    rest: (client: RestClient) => client.POST('/create-role', { body: variables }),
  }),
  assignRole: (userId: string, role: string) => ({
    document: AssignRoleDocument, field: 'assignRole' as const, variables: { userId, role },
    rest: (client: RestClient) => client.POST('/assign-role', { body: { userId, role } }),
  }),
  auditEvents: (first?: number, after?: string) => ({
    document: AuditEventsDocument, field: 'auditEvents' as const, variables: { first, after },
    rest: (client: RestClient) => client.GET('/audit-events', { params: { query: { first, after } } }),
  }),
};
