import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authCalls } from '../support/auth-calls.ts';
import type { AuthPayloadFields } from '../support/operations.ts';
import { registration, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES, type OperationCall, type Surface } from '../support/surfaces.ts';

const SESSION_MAX_AGE_SECONDS = 2_592_000;

// The default reuse interval (10 s) and maximum age (30 days), and a server whose reuse interval
// is over a second after the rotation.
let server: TestServer;
let shortInterval: TestServer;

beforeAll(async () => {
  [server, shortInterval] = await Promise.all([startTestServer(), startTestServer({ JANUS_REFRESH_REUSE_INTERVAL: '1' })]);
});
afterAll(() => Promise.all([server?.close(), shortInterval?.close()]));

async function newAccount(on: TestServer) {
  const input = registration();
  const response = await on.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
  expect(response.status).toBe(200);
  return { ...input, session: response.body };
}

async function sql<T>(on: TestServer, query: string, params: unknown[]): Promise<T[]> {
  return on.running.database.orm.em.getConnection().execute<T[]>(query, params);
}

async function auditEventsOf(on: TestServer, userId: string): Promise<string[]> {
  const rows = await sql<{ event: string }>(on, 'select event from audit_events where user_id = ? order by id', [userId]);
  return rows.map((row) => row.event);
}

describe.each(SURFACES)('refresh-token rotation on %s', (surface: Surface) => {
  const run = <TResult, TVariables, TField extends keyof TResult>(
    call: OperationCall<TResult, TVariables, TField>,
    token?: string,
    on: TestServer = server,
  ) => perform(on, surface, call, token);
  const expectRefused = (outcome: { code?: string; status: number }, code = 'INVALID_REFRESH_TOKEN') => {
    expect(outcome.code).toBe(code);
    expect(outcome.status).toBe(surface === 'rest' ? 401 : 200);
  };

  it('answers twelve concurrent refreshes with one token with the one successor, and the session stays usable', async () => {
    const account = await newAccount(server);
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => run(authCalls.refresh(account.session.refreshToken))));

    for (const outcome of outcomes) expect(outcome.data?.user.id).toBe(account.session.user.id);
    const successors = new Set(outcomes.map((outcome) => outcome.data!.refreshToken));
    expect(successors.size).toBe(1);
    const [successor] = successors;
    expect(successor).not.toBe(account.session.refreshToken);
    // Every access token handed out works, and the successor rotates as usual.
    for (const outcome of outcomes) expect((await run(authCalls.me(), outcome.data!.token)).data?.id).toBe(account.session.user.id);
    const next = await run(authCalls.refresh(successor!));
    expect(next.data?.refreshToken).toBeTruthy();
    expect((await run(authCalls.me(), next.data!.token)).data?.id).toBe(account.session.user.id);

    const events = await auditEventsOf(server, account.session.user.id);
    expect(events.filter((event) => event === 'token.refresh')).toHaveLength(2);
    expect(events.filter((event) => event === 'token.refresh_replay')).toHaveLength(11);
    expect(events).not.toContain('token.reuse_detected');
  });

  it('treats a replay within the interval as reuse once the successor has been rotated too', async () => {
    const account = await newAccount(server);
    const first = await run(authCalls.refresh(account.session.refreshToken));
    const second = await run(authCalls.refresh(first.data!.refreshToken));
    expect(second.data).toBeDefined();

    expectRefused(await run(authCalls.refresh(account.session.refreshToken)));
    // The whole family is revoked, the newest pair included.
    expectRefused(await run(authCalls.refresh(second.data!.refreshToken)));
    expectRefused(await run(authCalls.me(), second.data!.token), 'UNAUTHENTICATED');
    expect(await auditEventsOf(server, account.session.user.id)).toContain('token.reuse_detected');
  });

  it('revokes the family when a rotated token is replayed after the reuse interval', async () => {
    const account = await newAccount(shortInterval);
    const rotated = await run(authCalls.refresh(account.session.refreshToken), undefined, shortInterval);
    expect(rotated.data).toBeDefined();
    // Within the interval the replay still gets the successor.
    expect((await run(authCalls.refresh(account.session.refreshToken), undefined, shortInterval)).data?.refreshToken).toBe(
      rotated.data!.refreshToken,
    );

    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expectRefused(await run(authCalls.refresh(account.session.refreshToken), undefined, shortInterval));
    expectRefused(await run(authCalls.refresh(rotated.data!.refreshToken), undefined, shortInterval));
    expectRefused(await run(authCalls.me(), rotated.data!.token, shortInterval), 'UNAUTHENTICATED');
  });

  it('refuses a replay within the interval once the session has ended', async () => {
    const account = await newAccount(server);
    const rotated = await run(authCalls.refresh(account.session.refreshToken));
    expect((await run(authCalls.logout(rotated.data!.refreshToken))).data).toBe(true);
    expectRefused(await run(authCalls.refresh(account.session.refreshToken)));
  });

  it('ends a session at JANUS_SESSION_MAX_AGE however often it was refreshed, and a new login works', async () => {
    const account = await newAccount(server);
    const sessionOf = async (userId: string) =>
      (await sql<{ id: string }>(server, 'select id from sessions where user_id = ?', [userId]))[0]!.id;
    const sessionId = await sessionOf(account.session.user.id);
    const ageSessionBy = (seconds: number) =>
      sql(server, `update sessions set created_at = now() - make_interval(secs => ?) where id = ?`, [seconds, sessionId]);

    // A day before the maximum age the session still refreshes, but the new refresh token expires
    // with the session instead of a whole refresh TTL later.
    await ageSessionBy(SESSION_MAX_AGE_SECONDS - 86_400);
    const rotated = await run(authCalls.refresh(account.session.refreshToken));
    expect(rotated.data).toBeDefined();
    const [expiry] = await sql<{ capped: boolean }>(
      server,
      `select t.expires_at = s.created_at + make_interval(secs => ?) as capped
       from refresh_tokens t join sessions s on s.id = t.session_id where s.id = ? and t.used_at is null`,
      [SESSION_MAX_AGE_SECONDS, sessionId],
    );
    expect(expiry?.capped).toBe(true);

    await ageSessionBy(SESSION_MAX_AGE_SECONDS + 1);
    expectRefused(await run(authCalls.refresh(rotated.data!.refreshToken)));
    // Past its maximum age the token is refused, not judged a reuse: nothing else is revoked.
    expect(await auditEventsOf(server, account.session.user.id)).not.toContain('token.reuse_detected');
    expect((await run(authCalls.login(account.email, account.password))).data?.refreshToken).toBeTruthy();
  });
});
