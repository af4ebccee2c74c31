import {
  DeletePasskeyDocument,
  FinishPasskeyLoginDocument,
  FinishPasskeyRegistrationDocument,
  PasskeysDocument,
  RenamePasskeyDocument,
  StartPasskeyLoginDocument,
  StartPasskeyRegistrationDocument,
} from '../../generated/client/graphql.ts';
import type { RestClient } from './clients.ts';

type Json = Record<string, unknown>;

/** The passkey operations, through the typed GraphQL documents and the typed REST client. */
export const passkeyCalls = {
  startRegistration: () => ({
    document: StartPasskeyRegistrationDocument, field: 'startPasskeyRegistration' as const, variables: {},
    rest: (client: RestClient) => client.POST('/start-passkey-registration'),
  }),
  finishRegistration: (response: Json, name?: string) => ({
    document: FinishPasskeyRegistrationDocument, field: 'finishPasskeyRegistration' as const, variables: { response, name },
    rest: (client: RestClient) => client.POST('/finish-passkey-registration', { body: { response, name } }),
  }),
  list: () => ({
    document: PasskeysDocument, field: 'passkeys' as const, variables: {},
    rest: (client: RestClient) => client.GET('/passkeys'),
  }),
  rename: (id: string, name: string) => ({
    document: RenamePasskeyDocument, field: 'renamePasskey' as const, variables: { id, name },
    rest: (client: RestClient) => client.POST('/rename-passkey', { body: { id, name } }),
  }),
  remove: (id: string) => ({
    document: DeletePasskeyDocument, field: 'deletePasskey' as const, variables: { id },
    rest: (client: RestClient) => client.POST('/delete-passkey', { body: { id } }),
  }),
  startLogin: (email?: string) => ({
    document: StartPasskeyLoginDocument, field: 'startPasskeyLogin' as const, variables: { email },
    rest: (client: RestClient) => client.POST('/start-passkey-login', { body: email === undefined ? {} : { email } }),
  }),
  finishLogin: (challengeId: string, response: Json) => ({
    document: FinishPasskeyLoginDocument, field: 'finishPasskeyLogin' as const, variables: { challengeId, response },
    rest: (client: RestClient) => client.POST('/finish-passkey-login', { body: { challengeId, response } }),
  }),
};
