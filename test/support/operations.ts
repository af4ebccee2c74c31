import { readFileSync } from 'node:fs';

/** The documented client operations of schema/operations, used as a client would use them. */
export const authOperations = readFileSync(new URL('../../schema/operations/auth.graphql', import.meta.url), 'utf8');

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
