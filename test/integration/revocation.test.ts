import { decodeJwt } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOCKET_PORT } from '../../src/db/embedded.ts';
import { adminCalls } from '../support/admin-calls.ts';
import { authCalls, sessionOf } from '../support/auth-calls.ts';
import { accountWithRole, registration, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES, type Surface } from '../support/surfaces.ts';

let server: TestServer;

beforeAll(async () => {
  // Replays here mean reuse at once: no reuse interval (refresh.test.ts covers it).
  server = await startTestServer({ JANUS_REFRESH_REUSE_INTERVAL: '0' });
});
afterAll(() => server?.close());

async function newAccount(surface: Surface) {
  const input = registration();
  const registered = await perform(server, surface, authCalls.register({ ...input, role: 'user' }));
  return { ...input, session: sessionOf(registered.data) };
}

/**
 * A revocation must show on the request right after it, even for a token that was just answered
 * again and again.
 */
describe.each(SURFACES)('revocation right after busy use of a token, on %s', (surface) => {
  async function expectAnswered(token: string, times = 3) {
    for (let i = 0; i < times; i++) expect((await perform(server, surface, authCalls.me(), token)).data?.id).toBeDefined();
  }
  async function expectRefused(token: string) {
    const outcome = await perform(server, surface, authCalls.me(), token);
    expect(outcome.code).toBe('UNAUTHENTICATED');
    expect(outcome.status).toBe(surface === 'rest' ? 401 : 200);
  }

  it('logoutUser', async () => {
    const account = await newAccount(surface);
    await expectAnswered(account.session.token);
    await perform(server, surface, authCalls.logout(account.session.refreshToken));
    await expectRefused(account.session.token);
  });

  it('logoutAll', async () => {
    const account = await newAccount(surface);
    await expectAnswered(account.session.token);
    await perform(server, surface, authCalls.logoutAll(), account.session.token);
    await expectRefused(account.session.token);
  });

  it('changePassword, for the other sessions', async () => {
    const account = await newAccount(surface);
    const other = await perform(server, surface, authCalls.login(account.email, account.password));
    await expectAnswered(other.data!.token);
    await perform(server, surface, authCalls.changePassword(account.password, 'another long passphrase'), account.session.token);
    await expectRefused(other.data!.token);
  });

  it('reuse of a rotated refresh token, for the whole session', async () => {
    const account = await newAccount(surface);
    const rotated = await perform(server, surface, authCalls.refresh(account.session.refreshToken));
    await expectAnswered(rotated.data!.token);
    await perform(server, surface, authCalls.refresh(account.session.refreshToken));
    await expectRefused(rotated.data!.token);
  });

  it('assignRole, for tokens that carry the old role', async () => {
    const admin = await accountWithRole(server, 'admin');
    const account = await newAccount(surface);
    await expectAnswered(account.session.token);
    await perform(server, surface, adminCalls.assignRole(account.session.user.id, 'employee'), admin.token);
    await expectRefused(account.session.token);
  });

  it('and a session that was refused stays refused', async () => {
    const account = await newAccount(surface);
    await perform(server, surface, authCalls.logoutAll(), account.session.token);
    await expectRefused(account.session.token);
    await expectRefused(account.session.token);
  });
});

/** Another client of the same database, as an operator's psql would be: the server's socket on the embedded one. */
function anotherConnection(): pg.Client {
  const { databaseUrl, dataDir } = server.database;
  return new pg.Client(databaseUrl ? { connectionString: databaseUrl } : { host: dataDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' });
}

it('sees a session revoked by another connection, straight in the database, on the next request', async () => {
  const account = await newAccount('graphql');
  for (let i = 0; i < 3; i++) expect((await perform(server, 'rest', authCalls.me(), account.session.token)).data).toBeDefined();
  const client = anotherConnection();
  await client.connect();
  try {
    await client.query('update sessions set revoked_at = now() where id = $1', [decodeJwt(account.session.token).sid]);
  } finally {
    await client.end();
  }
  expect((await perform(server, 'rest', authCalls.me(), account.session.token)).code).toBe('UNAUTHENTICATED');
});
