import type { RestClient } from './clients.ts';
import {
  ConfirmTotpDocument,
  DisableTotpDocument,
  EnrollTotpDocument,
  MfaStatusDocument,
  RegenerateRecoveryCodesDocument,
  VerifyMfaDocument,
} from '../../generated/client/graphql.ts';

/** The second-factor operations, each through the typed GraphQL documents and the typed REST client. */
export const mfaCalls = {
  status: () => ({
    document: MfaStatusDocument, field: 'me' as const, variables: {},
    rest: (client: RestClient) => client.GET('/me'),
  }),
  enroll: () => ({
    document: EnrollTotpDocument, field: 'enrollTotp' as const, variables: {},
    rest: (client: RestClient) => client.POST('/enroll-totp'),
  }),
  confirm: (code: string) => ({
    document: ConfirmTotpDocument, field: 'confirmTotp' as const, variables: { code },
    rest: (client: RestClient) => client.POST('/confirm-totp', { body: { code } }),
  }),
  disable: (code: string) => ({
    document: DisableTotpDocument, field: 'disableTotp' as const, variables: { code },
    rest: (client: RestClient) => client.POST('/disable-totp', { body: { code } }),
  }),
  regenerateRecoveryCodes: () => ({
    document: RegenerateRecoveryCodesDocument, field: 'regenerateRecoveryCodes' as const, variables: {},
    rest: (client: RestClient) => client.POST('/regenerate-recovery-codes'),
  }),
  verify: (mfaToken: string, code: string) => ({
    document: VerifyMfaDocument, field: 'verifyMfa' as const, variables: { mfaToken, code },
    rest: (client: RestClient) => client.POST('/verify-mfa', { body: { mfaToken, code } }),
  }),
};
