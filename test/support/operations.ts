import { readFileSync } from 'node:fs';

/** The documented client operations of schema/operations, used as a client would use them. */
export const authOperations = readFileSync(new URL('../../schema/operations/auth.graphql', import.meta.url), 'utf8');

/** The operator operations, with the fragments they share with authOperations. */
export const adminOperations = `${authOperations}\n${readFileSync(new URL('../../schema/operations/admin.graphql', import.meta.url), 'utf8')}`;

/** The fragments' result types, generated from schema/operations: they change when the schema does. */
export type { AuthPayloadFieldsFragment as AuthPayloadFields, UserFieldsFragment as UserFields } from '../../generated/client/graphql.ts';
