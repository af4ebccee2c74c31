import { afterAll, expect, it } from 'vitest';
import type { AuthPayloadFields, UserFields } from '../support/operations.ts';
import { createTestDatabase } from '../support/database.ts';
import { registration, startTestServer } from '../support/server.ts';

const database = await createTestDatabase();
afterAll(() => database.dispose());

it('keeps users and the signing key across a restart on the same data', async () => {
  const input = registration();
  const first = await startTestServer({}, database);
  const registered = await first.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
  expect(registered.status).toBe(200);
  await first.stop();

  const second = await startTestServer({}, database);
  try {
    expect(second.running.database.appliedMigrations).toEqual([]);
    const login = await second.rest<AuthPayloadFields>('POST', '/login-user', {
      body: { email: input.email, password: input.password },
    });
    expect(login.status).toBe(200);
    const meWithOldToken = await second.rest<UserFields>('GET', '/me', { token: registered.body.token });
    expect(meWithOldToken.status).toBe(200);
    expect(meWithOldToken.body.id).toBe(registered.body.user.id);
  } finally {
    await second.stop();
  }
});
