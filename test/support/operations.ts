import { readFileSync } from 'node:fs';

/** The documented client operations of schema/operations, used as a client would use them. */
export const authOperations = readFileSync(new URL('../../schema/operations/auth.graphql', import.meta.url), 'utf8');

/** The operator operations, with the fragments they share with authOperations. */
export const adminOperations = `${authOperations}\n${readFileSync(new URL('../../schema/operations/admin.graphql', import.meta.url), 'utf8')}`;

export interface UserFields {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  phoneNumber: string;
  role: string;
  createdAt: string;
}

export interface AuthPayloadFields {
  user: UserFields;
  token: string;
  refreshToken: string;
  permissions: string[];
}

export interface RoleFields {
  id: string;
  name: string;
  permissions: string[];
  selfAssignable: boolean;
}

export interface UserConnectionFields {
  edges: { cursor: string; node: UserFields }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
