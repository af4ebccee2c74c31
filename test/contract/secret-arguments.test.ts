import { describe, expect, it } from 'vitest';
import { appSchema } from '../../src/app/composition.ts';
import { isSecretArgument } from '../../src/graphql/secret-arguments.ts';

const schema = appSchema();
const rootArguments = [schema.getQueryType(), schema.getMutationType()].flatMap((root) =>
  Object.values(root?.getFields() ?? {}).flatMap((field) => field.args.map((argument) => ({ name: `${field.name}(${argument.name})`, argument }))),
);
/** Names that hold a secret: passwords, tokens of any kind, one-time codes. */
const LOOKS_SECRET = /password|token|secret|code|otp|pin|credential/i;

describe('@secret in the SDL', () => {
  it('marks every argument whose name looks secret, so a new one cannot be forgotten', () => {
    const unmarked = rootArguments.filter(({ argument }) => LOOKS_SECRET.test(argument.name) && !isSecretArgument(argument)).map(({ name }) => name);
    expect(unmarked).toEqual([]);
  });

  it('marks the secrets of login, refresh, password changes, email links and the second factor', () => {
    const marked = rootArguments.filter(({ argument }) => isSecretArgument(argument)).map(({ name }) => name);
    expect(marked).toEqual(
      expect.arrayContaining([
        'loginUser(password)',
        'registerUser(password)',
        'deleteMe(password)',
        'changePassword(currentPassword)',
        'changePassword(newPassword)',
        'refreshToken(refreshToken)',
        'logoutUser(refreshToken)',
        'resetPassword(token)',
        'resetPassword(newPassword)',
        'verifyEmail(token)',
        'verifyMfa(mfaToken)',
        'verifyMfa(code)',
        'confirmTotp(code)',
        'disableTotp(code)',
      ]),
    );
  });
});
