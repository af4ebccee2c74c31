import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthPayloadFields, UserFields } from '../support/operations.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { registration, startTestServer, type TestServer } from '../support/server.ts';

// Two instances need one database they can both open: a server. (The embedded database belongs
// to the one process that started it.)
describe.runIf(process.env.JANUS_TEST_DB === 'server')('two instances on one database', () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One shared signing key, as a deployment configures it for every instance.
    a = await startTestServer({}, database);
    b = await startTestServer({}, database);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await database?.dispose();
  });

  async function register(): Promise<AuthPayloadFields> {
    const response = await a.rest<AuthPayloadFields>('POST', '/register-user', { body: registration() });
    expect(response.status).toBe(200);
    return response.body;
  }

  it('accepts on B a token issued by A', async () => {
    const session = await register();
    expect((await b.rest<UserFields>('GET', '/me', { token: session.token })).body.id).toBe(session.user.id);
  });

  it('rejects on B a refresh token rotated on A, and that replay revokes the family everywhere', async () => {
    const session = await register();
    const rotated = await a.rest<AuthPayloadFields>('POST', '/refresh-token', { body: { refreshToken: session.refreshToken } });
    expect(rotated.status).toBe(200);
    expect((await b.rest('POST', '/refresh-token', { body: { refreshToken: session.refreshToken } })).status).toBe(401);
    expect((await a.rest('POST', '/refresh-token', { body: { refreshToken: rotated.body.refreshToken } })).status).toBe(401);
    expect((await b.rest('GET', '/me', { token: rotated.body.token })).status).toBe(401);
  });

  it('rejects on B, at once, an access token whose owner ran logoutAll on A', async () => {
    const session = await register();
    expect((await b.rest('GET', '/me', { token: session.token })).status).toBe(200);
    expect((await a.rest('POST', '/logout-all', { token: session.token })).status).toBe(200);
    expect((await b.rest('GET', '/me', { token: session.token })).status).toBe(401);
  });
});
