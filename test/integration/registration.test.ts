import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisterUserMutationVariables } from '../../generated/client/graphql.ts';
import { authCalls } from '../support/auth-calls.ts';
import { perform, SURFACES } from '../support/surfaces.ts';
import { registration, startTestServer, uniqueEmail, type TestServer } from '../support/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

interface RestErrors {
  errors: { message: string; extensions: { code: string } }[];
}

async function usersWithEmail(email: string): Promise<number> {
  const rows = await server.running.database.orm.em
    .getConnection()
    .execute<{ count: string }[]>('select count(*) as count from users where email = ?', [email.toLowerCase()]);
  return Number(rows[0]?.count);
}

/** Both surfaces, so every rule below is proven on GraphQL and on REST. */
const surfaces = Object.fromEntries(
  SURFACES.map((surface) => [
    surface,
    async (input: RegisterUserMutationVariables) => {
      const { data, ...outcome } = await perform(server, surface, authCalls.register(input));
      return { ...outcome, payload: data };
    },
  ]),
);

describe.each(Object.entries(surfaces))('registerUser on %s', (surface, register) => {
  it('returns the user, a token pair and the sorted permissions of the role', async () => {
    const input = registration({ email: `  ${uniqueEmail('Mixed.Case').toUpperCase()} `, firstName: '  Grace ' });
    const { payload } = await register(input);
    expect(payload).toMatchObject({
      user: {
        email: input.email.trim().toLowerCase(),
        firstName: 'Grace',
        lastName: 'Lovelace',
        phoneNumber: '+44 20 7946 0000',
        role: 'employee',
      },
      permissions: [],
    });
    expect(payload!.user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(payload!.user.createdAt).getTime()).not.toBeNaN();
    expect(payload!.token!.split('.')).toHaveLength(3);
    expect(payload!.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses an email that exists in another case with EMAIL_TAKEN', async () => {
    const input = registration();
    expect((await register(input)).payload).toBeDefined();
    const again = await register({ ...input, email: input.email.toUpperCase() });
    expect(again.code).toBe('EMAIL_TAKEN');
    if (surface === 'rest') expect(again).toMatchObject({ status: 409 });
    expect(await usersWithEmail(input.email)).toBe(1);
  });

  it.each(['admin', 'superuser', 'ADMIN'])('refuses the role %s with ROLE_NOT_ALLOWED and creates nothing', async (role) => {
    const input = registration({ role });
    const result = await register(input);
    expect(result.code).toBe('ROLE_NOT_ALLOWED');
    if (surface === 'rest') expect(result).toMatchObject({ status: 403 });
    expect(await usersWithEmail(input.email)).toBe(0);
  });

  it.each([
    ['an invalid email', { email: 'not-an-email' }],
    ['a 7-byte password', { password: 'short12' }],
    ['a 73-byte password', { password: 'x'.repeat(73) }],
    ['a blank first name', { firstName: '   ' }],
    ['a phone number with letters', { phoneNumber: 'call me' }],
  ])('refuses %s with BAD_USER_INPUT and creates nothing', async (_name, override) => {
    const input = registration(override);
    const result = await register(input);
    expect(result.code).toBe('BAD_USER_INPUT');
    if (surface === 'rest') expect(result).toMatchObject({ status: 400 });
    expect(await usersWithEmail(input.email)).toBe(0);
  });
});

describe('client mistakes on REST', () => {
  it.each([
    ['malformed JSON', { rawBody: '{"email": ' }],
    ['a missing required argument', { body: { email: uniqueEmail() } }],
    ['an object where a string belongs', { body: { ...registration(), password: { value: 'secret-password' } } }],
  ])('answers %s with 400 BAD_USER_INPUT and no stack trace', async (_name, options) => {
    const response = await server.rest<RestErrors>('POST', '/register-user', options);
    expect(response.status).toBe(400);
    expect(response.body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(response.body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});
