import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOCKET_PORT } from '../../src/db/embedded.ts';
import { accountCalls } from '../support/account-calls.ts';
import { adminCalls } from '../support/admin-calls.ts';
import { authCalls, sessionOf } from '../support/auth-calls.ts';
import { accountWithRole, registration, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES, type AnyCall, type Surface } from '../support/surfaces.ts';

let server: TestServer;
let admin: Awaited<ReturnType<typeof accountWithRole>>;

beforeAll(async () => {
  server = await startTestServer();
  admin = await accountWithRole(server, 'admin');
});
afterAll(() => server?.close());

const UNKNOWN_ID = '00000000-0000-4000-8000-00000000dead';

async function newAccount(surface: Surface) {
  const input = registration({ role: 'user', firstName: 'Grace', lastName: 'Hopper' });
  const session = sessionOf((await perform(server, surface, authCalls.register(input))).data);
  return { ...input, id: session.user.id, session };
}

async function expectRefused(token: string) {
  for (const surface of SURFACES) {
    const outcome = await perform(server, surface, authCalls.me(), token);
    expect(outcome.code).toBe('UNAUTHENTICATED');
  }
}

async function expectAnswered(token: string, times = 3) {
  for (let i = 0; i < times; i++) {
    for (const surface of SURFACES) expect((await perform(server, surface, authCalls.me(), token)).data?.id).toBeDefined();
  }
}

async function rowsOf(table: 'users' | 'sessions', userId: string): Promise<number> {
  const column = table === 'users' ? 'id' : 'user_id';
  const rows = await server.running.database.orm.em
    .getConnection()
    .execute<{ count: string }[]>(`select count(*) as count from ${table} where ${column} = ?`, [userId]);
  return Number(rows[0]!.count);
}

async function refreshTokensOf(userId: string): Promise<number> {
  const rows = await server.running.database.orm.em
    .getConnection()
    .execute<{ count: string }[]>('select count(*) as count from refresh_tokens t join sessions s on s.id = t.session_id where s.user_id = ?', [userId]);
  return Number(rows[0]!.count);
}

async function auditOf(userId: string) {
  const page = await perform(server, 'rest', adminCalls.auditEvents(100), admin.token);
  return page.data!.edges.map((edge) => edge.node).filter((event) => event.userId === userId).reverse();
}

describe.each(SURFACES)('disableUser and enableUser on %s', (surface) => {
  it('locks the account at once: the live token is refused on the next request, login and refresh answer ACCOUNT_DISABLED', async () => {
    const account = await newAccount(surface);
    await expectAnswered(account.session.token);

    const disabled = await perform(server, surface, accountCalls.disableUser(account.id), admin.token);
    expect(disabled.data).toMatchObject({ id: account.id, email: account.email, disabled: true });

    await expectRefused(account.session.token);
    const refresh = await perform(server, surface, authCalls.refresh(account.session.refreshToken));
    expect(refresh).toMatchObject({ code: 'ACCOUNT_DISABLED', status: surface === 'rest' ? 403 : 200 });
    const wrong = await perform(server, surface, authCalls.login(account.email, 'not the password at all'));
    expect(wrong).toMatchObject({ code: 'INVALID_CREDENTIALS', status: surface === 'rest' ? 401 : 200 });
    const right = await perform(server, surface, authCalls.login(account.email, account.password));
    expect(right).toMatchObject({ code: 'ACCOUNT_DISABLED', status: surface === 'rest' ? 403 : 200 });
    expect(await rowsOf('users', account.id)).toBe(1);
  });

  it('refuses the token of a user marked disabled straight in the database, whose sessions were left as they were', async () => {
    const account = await newAccount(surface);
    await expectAnswered(account.session.token);
    // As an operator's psql would: another client (on the embedded database, through the server's socket).
    const { databaseUrl, dataDir } = server.database;
    const client = new pg.Client(databaseUrl ? { connectionString: databaseUrl } : { host: dataDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' });
    await client.connect();
    try {
      await client.query('update users set disabled = true where id = $1', [account.id]);
    } finally {
      await client.end();
    }
    await expectRefused(account.session.token);
  });

  it('lets the user log in again once enabled, with the sessions of before still ended', async () => {
    const account = await newAccount(surface);
    await perform(server, surface, accountCalls.disableUser(account.id), admin.token);
    const enabled = await perform(server, surface, accountCalls.enableUser(account.id), admin.token);
    expect(enabled.data).toMatchObject({ id: account.id, disabled: false });

    const login = await perform(server, surface, authCalls.login(account.email, account.password));
    await expectAnswered(login.data!.token, 1);
    expect((await perform(server, surface, authCalls.refresh(account.session.refreshToken))).code).toBe('INVALID_REFRESH_TOKEN');
    await expectRefused(account.session.token);
  });

  it('needs users:write and an existing user', async () => {
    const account = await newAccount(surface);
    const calls: ((userId: string) => AnyCall)[] = [accountCalls.disableUser, accountCalls.enableUser, accountCalls.deleteUser];
    for (const call of calls) {
      expect((await perform(server, surface, call(account.id))).code).toBe('UNAUTHENTICATED');
      expect((await perform(server, surface, call(account.id), account.session.token)).code).toBe('FORBIDDEN');
      for (const id of [UNKNOWN_ID, 'not-a-user-id']) {
        expect(await perform(server, surface, call(id), admin.token)).toMatchObject({ code: 'NOT_FOUND', status: surface === 'rest' ? 404 : 200 });
      }
    }
    await expectAnswered(account.session.token, 1);
  });

  it('shows whether a user is disabled', async () => {
    const account = await newAccount(surface);
    const disabled = async () => (await perform(server, surface, accountCalls.userDisabled(account.id), admin.token)).data!.disabled;
    expect(await disabled()).toBe(false);
    await perform(server, surface, accountCalls.disableUser(account.id), admin.token);
    expect(await disabled()).toBe(true);
    await perform(server, surface, accountCalls.enableUser(account.id), admin.token);
    expect(await disabled()).toBe(false);
  });
});

describe.each(SURFACES)('deleteUser and deleteMe on %s', (surface) => {
  it('deleteUser erases the user with every session and refresh token; the email registers again', async () => {
    const account = await newAccount(surface);
    await perform(server, surface, authCalls.login(account.email, account.password));
    await expectAnswered(account.session.token);
    expect(await rowsOf('sessions', account.id)).toBe(2);

    expect(await perform(server, surface, accountCalls.deleteUser(account.id), admin.token)).toMatchObject({ data: true, status: 200 });

    await expectRefused(account.session.token);
    expect(await rowsOf('users', account.id)).toBe(0);
    expect(await rowsOf('sessions', account.id)).toBe(0);
    expect(await refreshTokensOf(account.id)).toBe(0);
    expect((await perform(server, surface, authCalls.login(account.email, account.password))).code).toBe('INVALID_CREDENTIALS');
    expect((await perform(server, surface, authCalls.refresh(account.session.refreshToken))).code).toBe('INVALID_REFRESH_TOKEN');
    expect((await perform(server, surface, accountCalls.deleteUser(account.id), admin.token)).code).toBe('NOT_FOUND');

    const again = await perform(server, surface, authCalls.register({ ...registration({ role: 'user' }), email: account.email }));
    expect(again.data!.user.email).toBe(account.email);
    expect(again.data!.user.id).not.toBe(account.id);
  });

  it('deleteMe needs the caller’s password, then erases the account; the email registers again', async () => {
    const account = await newAccount(surface);
    const wrong = await perform(server, surface, accountCalls.deleteMe('not the password at all'), account.session.token);
    expect(wrong).toMatchObject({ code: 'INVALID_CREDENTIALS', status: surface === 'rest' ? 401 : 200 });
    await expectAnswered(account.session.token, 1);
    expect(await rowsOf('users', account.id)).toBe(1);

    expect((await perform(server, surface, accountCalls.deleteMe(account.password), account.session.token)).data).toBe(true);
    await expectRefused(account.session.token);
    expect(await rowsOf('users', account.id)).toBe(0);
    expect(await rowsOf('sessions', account.id)).toBe(0);
    const again = await perform(server, surface, authCalls.register({ ...registration({ role: 'user' }), email: account.email }));
    expect(again.data!.user.email).toBe(account.email);
  });

  it('deleteMe needs an access token', async () => {
    expect((await perform(server, surface, accountCalls.deleteMe('whatever password'))).code).toBe('UNAUTHENTICATED');
  });
});

it('refuses a deleteMe password sent in the REST URL', async () => {
  const account = await newAccount('rest');
  const answer = await server.rest<{ errors: { extensions: { code: string } }[] }>(
    'POST', `/delete-me?password=${encodeURIComponent(account.password)}`, { body: {}, token: account.session.token },
  );
  expect(answer.status).toBe(400);
  expect(answer.body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  expect(await rowsOf('users', account.id)).toBe(1);
});

it('audits every action with actor, target, ip and request id, and keeps a deleted user’s id but no email or name', async () => {
  const account = await newAccount('rest');
  const call = (path: string, body: unknown, token: string, requestId: string) =>
    fetch(`${server.running.restUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': requestId },
      body: JSON.stringify(body),
    });
  expect((await call('/disable-user', { userId: account.id }, admin.token, 'ops-disable')).status).toBe(200);
  await perform(server, 'rest', authCalls.login(account.email, account.password));
  expect((await call('/enable-user', { userId: account.id }, admin.token, 'ops-enable')).status).toBe(200);
  expect((await call('/delete-user', { userId: account.id }, admin.token, 'ops-delete')).status).toBe(200);

  const events = await auditOf(account.id);
  expect(events.map((event) => event.event)).toEqual(['registration', 'email.verification_sent', 'user.disable', 'login.disabled', 'user.enable', 'user.delete']);
  // Erasure keeps the id and the request id, never where the requests came from.
  const byAdmin = { actorId: admin.id, userId: account.id, ip: null, userAgent: null };
  expect(events[2]).toMatchObject({ ...byAdmin, requestId: 'ops-disable' });
  expect(events[3]).toMatchObject({ actorId: null, userId: account.id });
  expect(events[4]).toMatchObject({ ...byAdmin, requestId: 'ops-enable' });
  expect(events[5]).toMatchObject({ ...byAdmin, requestId: 'ops-delete' });
  const trail = JSON.stringify(events);
  for (const personal of [account.email, account.firstName, account.lastName, account.phoneNumber]) expect(trail).not.toContain(personal);
});

it('audits deleteMe as the user’s own action', async () => {
  const account = await newAccount('graphql');
  await perform(server, 'graphql', accountCalls.deleteMe(account.password), account.session.token);
  const events = await auditOf(account.id);
  expect(events.at(-1)).toMatchObject({ event: 'user.delete', userId: account.id, actorId: null, ip: null, userAgent: null });
  expect(events.at(-1)!.requestId).toBeTruthy();
});

describe.each(SURFACES)('the last holder of roles:write on %s', (surface) => {
  it('cannot be disabled or deleted (LAST_ROLE_ADMIN, audited), while another holder can', async () => {
    for (const call of [accountCalls.disableUser(admin.id), accountCalls.deleteUser(admin.id), accountCalls.deleteMe('correct horse battery')] as AnyCall[]) {
      const refused = await perform(server, surface, call, admin.token);
      expect(refused.code).toBe('LAST_ROLE_ADMIN');
      expect(refused.status).toBe(surface === 'rest' ? 409 : 200);
    }
    await expectAnswered(admin.token, 1);
    expect((await auditOf(admin.id)).filter((event) => event.event === 'role.demote_refused').length).toBeGreaterThanOrEqual(3);

    const second = await accountWithRole(server, 'admin');
    expect((await perform(server, surface, accountCalls.disableUser(second.id), admin.token)).data).toMatchObject({ id: second.id, disabled: true });
    await expectRefused(second.token);
  });
});
