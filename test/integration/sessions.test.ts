import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCalls } from '../support/account-calls.ts';
import { adminCalls } from '../support/admin-calls.ts';
import { authCalls } from '../support/auth-calls.ts';
import type { AuthPayloadFields } from '../support/operations.ts';
import { accountWithRole, registration, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES, type Surface } from '../support/surfaces.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const sidOf = (token: string): string => decodeJwt(token).sid as string;

/** A REST call with the client headers a session records. */
async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<AuthPayloadFields> {
  const response = await fetch(`${server.running.restUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as AuthPayloadFields;
}

async function newAccount() {
  const input = registration({ role: 'user' });
  const registered = await post('/register-user', input, { 'user-agent': 'registration/1.0' });
  const login = (userAgent: string) => post('/login-user', { email: input.email, password: input.password }, { 'user-agent': userAgent });
  return { ...input, registered, login };
}

async function expectRefused(token: string) {
  for (const surface of SURFACES) {
    const outcome = await perform(server, surface, authCalls.me(), token);
    expect(outcome.code).toBe('UNAUTHENTICATED');
    expect(outcome.status).toBe(surface === 'rest' ? 401 : 200);
  }
}

async function expectAnswered(token: string) {
  for (const surface of SURFACES) expect((await perform(server, surface, authCalls.me(), token)).data?.id).toBeDefined();
}

describe.each(SURFACES)('sessions on %s', (surface: Surface) => {
  it('lists the caller’s live sessions newest first, with where each was used and which one is in use', async () => {
    const account = await newAccount();
    const phone = await account.login('phone/1.0');
    const laptop = await account.login('laptop/2.0');

    const listed = await perform(server, surface, accountCalls.sessions(), phone.token);
    expect(listed.data!.map((session) => session.id)).toEqual([laptop, phone, account.registered].map((pair) => sidOf(pair.token)));
    expect(listed.data!.map((session) => session.current)).toEqual([false, true, false]);
    expect(listed.data!.map((session) => session.userAgent)).toEqual(['laptop/2.0', 'phone/1.0', 'registration/1.0']);
    for (const session of listed.data!) {
      expect(session.ip).toBe('127.0.0.1');
      expect(session.lastUsedAt).toBe(session.createdAt);
    }
  });

  it('notes a refresh as the session’s last use, with the refreshing client’s user agent', async () => {
    const account = await newAccount();
    const login = await account.login('before/1.0');
    const before = Date.now();
    const refreshed = await post('/refresh-token', { refreshToken: login.refreshToken }, { 'user-agent': 'after/2.0' });

    const session = (await perform(server, surface, accountCalls.sessions(), refreshed.token)).data!.find((s) => s.current)!;
    expect(session.id).toBe(sidOf(login.token));
    expect(session.userAgent).toBe('after/2.0');
    expect(Date.parse(session.lastUsedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(session.createdAt)).toBeLessThanOrEqual(before);
  });

  it('leaves out sessions that were logged out or whose refresh token expired', async () => {
    const account = await newAccount();
    const loggedOut = await account.login('a/1');
    const expired = await account.login('b/1');
    await perform(server, surface, authCalls.logout(loggedOut.refreshToken));
    await server.running.database.orm.em
      .getConnection()
      .execute(`update refresh_tokens set expires_at = now() - interval '1 second' where session_id = ?`, [sidOf(expired.token)]);

    const listed = await perform(server, surface, accountCalls.sessions(), account.registered.token);
    expect(listed.data!.map((session) => session.id)).toEqual([sidOf(account.registered.token)]);
  });

  it('ends another session: its access token is refused on the very next request, its refresh token fails', async () => {
    const account = await newAccount();
    const other = await account.login('other/1.0');
    await expectAnswered(other.token);

    const revoked = await perform(server, surface, accountCalls.revokeSession(sidOf(other.token)), account.registered.token);
    expect(revoked).toMatchObject({ data: true, status: 200 });

    await expectRefused(other.token);
    expect((await perform(server, surface, authCalls.refresh(other.refreshToken))).code).toBe('INVALID_REFRESH_TOKEN');
    await expectAnswered(account.registered.token);
    const listed = await perform(server, surface, accountCalls.sessions(), account.registered.token);
    expect(listed.data!.map((session) => session.id)).toEqual([sidOf(account.registered.token)]);
  });

  it('ends the session in use when asked to', async () => {
    const account = await newAccount();
    await expectAnswered(account.registered.token);
    const revoked = await perform(server, surface, accountCalls.revokeSession(sidOf(account.registered.token)), account.registered.token);
    expect(revoked.data).toBe(true);
    await expectRefused(account.registered.token);
  });

  it('answers NOT_FOUND alike for another user’s session, an ended one, an unknown and a malformed id', async () => {
    const account = await newAccount();
    const stranger = await newAccount();
    const ended = await account.login('ended/1');
    await perform(server, surface, authCalls.logout(ended.refreshToken));

    const answers = [];
    for (const id of [sidOf(stranger.registered.token), sidOf(ended.token), '00000000-0000-4000-8000-00000000abcd', 'not-a-session']) {
      answers.push(await perform(server, surface, accountCalls.revokeSession(id), account.registered.token));
    }
    for (const answer of answers) {
      expect(answer).toMatchObject({ code: 'NOT_FOUND', status: surface === 'rest' ? 404 : 200, message: answers[0]!.message });
    }
    await expectAnswered(stranger.registered.token);
  });

  it('needs an access token', async () => {
    expect((await perform(server, surface, accountCalls.sessions())).code).toBe('UNAUTHENTICATED');
    expect((await perform(server, surface, accountCalls.revokeSession(sidOf((await newAccount()).registered.token)))).code).toBe('UNAUTHENTICATED');
  });
});

it('audits a revocation with the user, ip and request id', async () => {
  const admin = await accountWithRole(server, 'admin');
  const account = await newAccount();
  const response = await fetch(`${server.running.restUrl}/revoke-session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${account.registered.token}`, 'x-request-id': 'revoke-audit-1' },
    body: JSON.stringify({ id: sidOf(account.registered.token) }),
  });
  expect(response.status).toBe(200);
  const latest = (await perform(server, 'rest', adminCalls.auditEvents(1), admin.token)).data!.edges[0]!.node;
  expect(latest).toMatchObject({ event: 'session.revoke', userId: account.registered.user.id, actorId: null, ip: '127.0.0.1', requestId: 'revoke-audit-1' });
});

describe('the User-Agent a session and the audit trail keep', () => {
  it('stores none when the text rule refuses it (a C1 control, U+009B), and a clean one as sent', async () => {
    const input = registration({ role: 'user' });
    const requestId = `user-agent-${Date.now()}`;
    const registered = await post('/register-user', input, { 'user-agent': 'evil\u009b31m/1.0', 'x-request-id': requestId });
    const clean = await post('/login-user', { email: input.email, password: input.password }, { 'user-agent': 'clean/1.0' });
    for (const surface of SURFACES) {
      const sessions = (await perform(server, surface, accountCalls.sessions(), clean.token)).data!;
      expect(sessions.find((session) => session.id === sidOf(registered.token))?.userAgent).toBeNull();
      expect(sessions.find((session) => session.id === sidOf(clean.token))?.userAgent).toBe('clean/1.0');
    }
    const audited = await server.running.database.orm.em
      .getConnection()
      .execute<{ user_agent: string | null }[]>('select user_agent from audit_events where request_id = ?', [requestId]);
    expect(audited.length).toBeGreaterThan(0);
    expect(audited.map((row) => row.user_agent)).toEqual(audited.map(() => null));
  });
});
