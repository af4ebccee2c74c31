import { defineModule } from '../modules/module.ts';
import { MfaChallenge, MfaFailures, RecoveryCode, UserTotp } from './entities.ts';
import * as resolvers from './resolvers.ts';

/** The second factor: TOTP enrolment, recovery codes, MFA challenges. */
export const module = defineModule({
  name: 'mfa',
  sdl: [new URL('./mfa.graphql', import.meta.url)],
  resolvers: { Mutation: resolvers.Mutation },
  entities: [UserTotp, RecoveryCode, MfaChallenge, MfaFailures],
});
