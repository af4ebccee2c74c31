import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authCalls } from '../support/auth-calls.ts';
import type { AuthPayloadFields, UserFields } from '../support/operations.ts';
import { registration, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES, type OperationCall, type Surface } from '../support/surfaces.ts';

let server: TestServer;

beforeAll(async () => {
  // Replays here mean reuse at once: no reuse interval (refresh.test.ts covers it).
  server = await startTestServer({ JANUS_REFRESH_REUSE_INTERVAL: '0' });
});
afterAll(() => server?.close());

async function newAccount() {
  const input = registration();
  const response = await server.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
  expect(response.status).toBe(200);
  return { ...input, session: response.body };
}

describe.each(SURFACES)('token lifecycle on %s', (surface: Surface) => {
  const run = <TResult, TVariables, TField extends keyof TResult>(call: OperationCall<TResult, TVariables, TField>, token?: string) =>
    perform(server, surface, call, token);
  const expectCode = (outcome: { code?: string; status: number }, code: string, restStatus: number) => {
    expect(outcome.code).toBe(code);
    expect(outcome.status).toBe(surface === 'rest' ? restStatus : 200);
  };

  it('rotates a refresh token: the new pair works and the old refresh token is refused', async () => {
    const account = await newAccount();
    const rotated = await run(authCalls.refresh(account.session.refreshToken));
    expect(rotated.data).toMatchObject({ user: { email: account.email }, permissions: [] });
    expect(rotated.data!.refreshToken).not.toBe(account.session.refreshToken);
    expect((await run(authCalls.me(), rotated.data!.token)).data?.email).toBe(account.email);

    expectCode(await run(authCalls.refresh(account.session.refreshToken)), 'INVALID_REFRESH_TOKEN', 401);
  });

  it('revokes the whole session when a rotated refresh token is reused', async () => {
    const account = await newAccount();
    const first = await run(authCalls.refresh(account.session.refreshToken));
    const second = await run(authCalls.refresh(first.data!.refreshToken));
    expect(second.data).toBeDefined();

    // An attacker replays the token the client already rotated away.
    expectCode(await run(authCalls.refresh(first.data!.refreshToken)), 'INVALID_REFRESH_TOKEN', 401);
    // The legitimate client's newest tokens are dead too: the family is revoked.
    expectCode(await run(authCalls.refresh(second.data!.refreshToken)), 'INVALID_REFRESH_TOKEN', 401);
    expectCode(await run(authCalls.me(), second.data!.token), 'UNAUTHENTICATED', 401);
  });

  it('lets exactly one of ten concurrent refreshes with the same token succeed', async () => {
    const account = await newAccount();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => run(authCalls.refresh(account.session.refreshToken))),
    );
    expect(outcomes.filter((outcome) => outcome.data).length).toBe(1);
    const refused = outcomes.filter((outcome) => !outcome.data);
    expect(refused.map((outcome) => outcome.code)).toEqual(Array(9).fill('INVALID_REFRESH_TOKEN'));
  });

  it('answers many concurrent requests with one token, each checked against the database, while logins run', async () => {
    // More requests at once than the pool has connections, beside logins that hold transactions:
    // on the embedded database every connection shares one session (src/tokens/principal-query.ts).
    const account = await newAccount();
    const [answers, logins] = await Promise.all([
      Promise.all(Array.from({ length: 60 }, () => run(authCalls.me(), account.session.token))),
      Promise.all(Array.from({ length: 4 }, () => run(authCalls.login(account.email, account.password)))),
    ]);
    for (const answer of answers) expect(answer.data?.id).toBe(account.session.user.id);
    for (const login of logins) expect(login.data?.user.id).toBe(account.session.user.id);
    await run(authCalls.logoutAll(), account.session.token);
    const afterLogout = await Promise.all(Array.from({ length: 20 }, () => run(authCalls.me(), account.session.token)));
    for (const answer of afterLogout) expectCode(answer, 'UNAUTHENTICATED', 401);
  });

  it('refuses unknown refresh tokens and access tokens offered as refresh tokens', async () => {
    const account = await newAccount();
    expectCode(await run(authCalls.refresh('not-a-token')), 'INVALID_REFRESH_TOKEN', 401);
    expectCode(await run(authCalls.refresh(account.session.token)), 'INVALID_REFRESH_TOKEN', 401);
    expectCode(await run(authCalls.logout('not-a-token')), 'INVALID_REFRESH_TOKEN', 401);
  });

  it('logoutUser ends that session only', async () => {
    const account = await newAccount();
    const other = await run(authCalls.login(account.email, account.password));

    const loggedOut = await run(authCalls.logout(account.session.refreshToken));
    expect(loggedOut.data).toBe(true);
    expectCode(await run(authCalls.me(), account.session.token), 'UNAUTHENTICATED', 401);
    expectCode(await run(authCalls.refresh(account.session.refreshToken)), 'INVALID_REFRESH_TOKEN', 401);

    expect((await run(authCalls.me(), other.data!.token)).data?.email).toBe(account.email);
    expect((await run(authCalls.refresh(other.data!.refreshToken))).data).toBeDefined();
  });

  it('logoutAll ends every session and every outstanding access token of the caller', async () => {
    const account = await newAccount();
    const other = await run(authCalls.login(account.email, account.password));
    const stranger = await newAccount();

    expectCode(await run(authCalls.logoutAll()), 'UNAUTHENTICATED', 401);
    expect((await run(authCalls.logoutAll(), account.session.token)).data).toBe(true);

    for (const session of [account.session, other.data!]) {
      expectCode(await run(authCalls.me(), session.token), 'UNAUTHENTICATED', 401);
      expectCode(await run(authCalls.refresh(session.refreshToken)), 'INVALID_REFRESH_TOKEN', 401);
    }
    expect((await run(authCalls.me(), stranger.session.token)).data?.email).toBe(stranger.email);
    expect((await run(authCalls.login(account.email, account.password))).data).toBeDefined();
  });

  it('changePassword checks the current password, ends the other sessions and returns a fresh pair', async () => {
    const account = await newAccount();
    const other = await run(authCalls.login(account.email, account.password));
    const newPassword = 'a brand new passphrase';

    expectCode(await run(authCalls.changePassword('wrong password', newPassword), account.session.token), 'INVALID_CREDENTIALS', 401);
    expectCode(await run(authCalls.changePassword(account.password, 'short'), account.session.token), 'BAD_USER_INPUT', 400);
    expectCode(await run(authCalls.changePassword(account.password, newPassword)), 'UNAUTHENTICATED', 401);

    const changed = await run(authCalls.changePassword(account.password, newPassword), account.session.token);
    expect(changed.data).toMatchObject({ user: { email: account.email } });
    expect((await run(authCalls.me(), changed.data!.token)).data?.email).toBe(account.email);
    expect((await run(authCalls.refresh(changed.data!.refreshToken))).data).toBeDefined();

    for (const session of [account.session, other.data!]) {
      expectCode(await run(authCalls.me(), session.token), 'UNAUTHENTICATED', 401);
      expectCode(await run(authCalls.refresh(session.refreshToken)), 'INVALID_REFRESH_TOKEN', 401);
    }
    expectCode(await run(authCalls.login(account.email, account.password)), 'INVALID_CREDENTIALS', 401);
    expect((await run(authCalls.login(account.email, newPassword))).data).toBeDefined();
  });
});

describe('expired refresh tokens', () => {
  it('are deleted by the purge together with the sessions they leave empty, and nothing else is', async () => {
    const expiring = await newAccount();
    const staying = await newAccount();
    const connection = server.running.database.orm.em.getConnection();
    const count = async (sql: string, userId: string) => Number((await connection.execute<{ n: string }[]>(sql, [userId]))[0]?.n);
    const tokensOf = (userId: string) =>
      count('select count(*) as n from refresh_tokens t join sessions s on s.id = t.session_id where s.user_id = ?', userId);
    const sessionsOf = (userId: string) => count('select count(*) as n from sessions where user_id = ?', userId);

    await connection.execute(
      "update refresh_tokens set expires_at = now() - interval '1 second' where session_id in (select id from sessions where user_id = ?)",
      [expiring.session.user.id],
    );
    const purged = await server.running.services.tokens.purgeExpired();

    expect(purged.refreshTokens).toBeGreaterThanOrEqual(1);
    expect(purged.sessions).toBeGreaterThanOrEqual(1);
    expect([await tokensOf(expiring.session.user.id), await sessionsOf(expiring.session.user.id)]).toEqual([0, 0]);
    expect([await tokensOf(staying.session.user.id), await sessionsOf(staying.session.user.id)]).toEqual([1, 1]);
    expect((await server.rest('POST', '/refresh-token', { body: { refreshToken: expiring.session.refreshToken } })).status).toBe(401);
    expect((await server.rest('POST', '/refresh-token', { body: { refreshToken: staying.session.refreshToken } })).status).toBe(200);
  });
});
