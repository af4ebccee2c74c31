import { describe, expect, it } from 'vitest';
import { accessMarkersOf } from '../../src/auth/access-rules.ts';
import { appSchema } from '../../src/app/composition.ts';

const schema = appSchema();
const rootFields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
  type ? Object.values(type.getFields()).map((field) => ({ path: `${type.name}.${field.name}`, field })) : [],
);

describe('access markers in the SDL', () => {
  it('finds the root fields to check', () => {
    expect(rootFields.map(({ path }) => path)).toEqual(expect.arrayContaining(['Query.me', 'Mutation.loginUser']));
  });

  it.each(rootFields.map(({ path, field }) => [path, field] as const))(
    '%s carries exactly one of @public, @authenticated, @requiresPermission',
    (_path, field) => {
      expect(accessMarkersOf(field)).toHaveLength(1);
    },
  );

  it('marks only the operations that obtain or end a session, or use a mailed token, without an access token as @public', () => {
    const publicFields = rootFields.filter(({ field }) => accessMarkersOf(field).includes('public')).map(({ path }) => path);
    expect(publicFields.sort()).toEqual([
      // A sign-in at an identity provider: the providers to offer, its start and its completion.
      'Mutation.completeSignIn',
      'Mutation.finishPasskeyLogin',
      'Mutation.loginUser',
      'Mutation.logoutUser',
      'Mutation.refreshToken',
      'Mutation.registerUser',
      'Mutation.requestPasswordReset',
      'Mutation.resetPassword',
      'Mutation.startPasskeyLogin',
      'Mutation.startSignIn',
      'Mutation.verifyEmail',
      'Mutation.verifyMfa',
      'Query.signInProviders',
    ]);
  });

  it('treats @requiresMfa as a requirement beside the access marker, never as one', () => {
    const stepUp = rootFields.filter(({ field }) => field.astNode?.directives?.some((node) => node.name.value === 'requiresMfa'));
    expect(stepUp.map(({ path }) => path)).toContain('Mutation.regenerateRecoveryCodes');
    for (const { field } of stepUp) expect(accessMarkersOf(field)).toEqual(['authenticated']);
  });
});
