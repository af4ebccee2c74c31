import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authCalls } from '../support/auth-calls.ts';
import { perform, SURFACES } from '../support/surfaces.ts';
import { registration, startTestServer, uniqueEmail, type TestServer } from '../support/server.ts';

let server: TestServer;
const account = registration({ role: 'user' });

beforeAll(async () => {
  server = await startTestServer();
  const response = await server.rest('POST', '/register-user', { body: account });
  expect(response.status).toBe(200);
});
afterAll(() => server?.close());

const surfaces = Object.fromEntries(
  SURFACES.map((surface) => [
    surface,
    async (email: string, password: string) => {
      const { data, ...outcome } = await perform(server, surface, authCalls.login(email, password));
      return { ...outcome, payload: data };
    },
  ]),
);

describe.each(Object.entries(surfaces))('loginUser on %s', (surface, login) => {
  it('logs in with the email in any case and returns the user, tokens and permissions', async () => {
    const { payload } = await login(`  ${account.email.toUpperCase()} `, account.password);
    expect(payload).toMatchObject({ user: { email: account.email, role: 'user' }, permissions: [] });
    expect(payload!.token).toBeTruthy();
    expect(payload!.refreshToken).toBeTruthy();
  });

  it('gives an unknown email and a wrong password the same INVALID_CREDENTIALS answer', async () => {
    const wrongPassword = await login(account.email, 'not the password');
    const unknownEmail = await login(uniqueEmail('nobody'), account.password);
    const malformedEmail = await login('not an email', account.password);
    for (const outcome of [wrongPassword, unknownEmail, malformedEmail]) {
      expect(outcome.code).toBe('INVALID_CREDENTIALS');
      expect(outcome.payload).toBeUndefined();
    }
    expect(unknownEmail.message).toBe(wrongPassword.message);
    expect(malformedEmail.message).toBe(wrongPassword.message);
    expect(wrongPassword.status).toBe(surface === 'rest' ? 401 : 200);
    expect(unknownEmail.status).toBe(wrongPassword.status);
  });

  it('refuses a password that only matches in its first 72 bytes', async () => {
    const longAccount = registration({ password: 'p'.repeat(72) });
    expect((await server.rest('POST', '/register-user', { body: longAccount })).status).toBe(200);
    expect((await login(longAccount.email, longAccount.password)).payload).toBeDefined();
    expect((await login(longAccount.email, `${longAccount.password}extra`)).code).toBe('INVALID_CREDENTIALS');
  });
});
