import { describe, expect, it } from 'vitest';
import { accessMarkersOf } from '../../src/auth/access-rules.ts';
import { appSchema } from '../../src/app/composition.ts';
import { rateLimitedFieldsOf } from '../../src/ratelimit/plugin.ts';

const schema = appSchema();
const limited = new Map(rateLimitedFieldsOf(schema).map((field) => [`${field.type}.${field.field}`, field]));

/** An argument that carries a password (`password`, `currentPassword`, `newPassword`, …). */
const isPasswordArgument = (name: string) => /password$/i.test(name);

/** The root fields that take a password: each one a guesser could call over and over. */
const passwordFields = [schema.getQueryType(), schema.getMutationType()].flatMap((type) =>
  type
    ? Object.values(type.getFields())
        .filter((field) => field.args.some((arg) => isPasswordArgument(arg.name)))
        .map((field) => ({ path: `${type.name}.${field.name}`, field }))
    : [],
);

describe('rate-limit markers on the operations that take a password', () => {
  it('finds them from the SDL', () => {
    expect(passwordFields.map(({ path }) => path)).toEqual(
      expect.arrayContaining(['Mutation.loginUser', 'Mutation.changePassword', 'Mutation.deleteMe']),
    );
  });

  it.each(passwordFields.map(({ path, field }) => [path, field] as const))(
    '%s carries @rateLimit, per caller too when it needs an access token',
    (path, field) => {
      const marker = limited.get(path);
      expect(marker, `${path} has no @rateLimit`).toBeDefined();
      if (!accessMarkersOf(field).includes('public')) expect(marker!.perUser, `${path} is not limited per caller`).toBe(true);
    },
  );

  it('limits per caller the second-factor operations that need no code', () => {
    for (const path of ['Mutation.enrollTotp', 'Mutation.regenerateRecoveryCodes']) expect(limited.get(path)?.perUser, path).toBe(true);
  });
});
