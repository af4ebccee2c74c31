import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCalls } from '../support/admin-calls.ts';
import type { AuthPayloadFields } from '../support/operations.ts';
import { accountWithRole, capturingLogger, registration, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES } from '../support/surfaces.ts';

interface AuditEventFields {
  id: string;
  event: string;
  userId: string | null;
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  createdAt: string;
}

interface AuditPage {
  edges: { cursor: string; node: AuditEventFields }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

let server: TestServer;
let admin: Awaited<ReturnType<typeof accountWithRole>>;

beforeAll(async () => {
  // The replay below means reuse at once: no reuse interval (refresh.test.ts covers it).
  server = await startTestServer({ JANUS_REFRESH_REUSE_INTERVAL: '0' }, undefined, capturingLogger('silent').logger);
  admin = await accountWithRole(server, 'admin');
});
afterAll(() => server?.close());

const auditCall = adminCalls.auditEvents;

async function eventsOf(userId: string): Promise<AuditEventFields[]> {
  const seen: AuditEventFields[] = [];
  let after: string | undefined;
  for (let page = 0; page < 100; page++) {
    const outcome = await perform(server, 'rest', auditCall(100, after), admin.token);
    seen.push(...outcome.data!.edges.map((edge) => edge.node));
    if (!outcome.data!.pageInfo.hasNextPage) break;
    after = outcome.data!.pageInfo.endCursor!;
  }
  return seen.filter((event) => event.userId === userId).reverse();
}

const post = (path: string, body: unknown, token?: string) =>
  fetch(`${server.running.restUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'audit-test/1.0',
      'x-request-id': `audit-${path.slice(1)}`,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });

it('records every security event of a user’s life, with ip, user agent and request id, never a secret', async () => {
  const input = registration({ password: 'Audit-Passphrase-77' });
  const registered = (await (await post('/register-user', input)).json()) as AuthPayloadFields;
  const userId = registered.user.id;
  await post('/login-user', { email: input.email, password: 'Wrong-Passphrase-88' });
  const login = (await (await post('/login-user', { email: input.email, password: input.password })).json()) as AuthPayloadFields;
  const refreshed = (await (await post('/refresh-token', { refreshToken: login.refreshToken })).json()) as AuthPayloadFields;
  await post('/refresh-token', { refreshToken: login.refreshToken });
  await post('/logout-user', { refreshToken: registered.refreshToken });
  // The replay above revoked the refreshed session: change the password from a new one.
  expect(refreshed.token).toBeTruthy();
  const third = (await (await post('/login-user', { email: input.email, password: input.password })).json()) as AuthPayloadFields;
  const changed = (await (await post('/change-password', { currentPassword: input.password, newPassword: 'Audit-Passphrase-99' }, third.token)).json()) as AuthPayloadFields;
  await post('/assign-role', { userId, role: 'user' }, admin.token);
  await post('/logout-all', {}, (await (await post('/login-user', { email: input.email, password: 'Audit-Passphrase-99' })).json() as AuthPayloadFields).token);
  expect(changed.token).toBeTruthy();

  const events = await eventsOf(userId);
  expect(events.map((event) => event.event)).toEqual([
    'registration',
    'email.verification_sent',
    'login.failure',
    'login.success',
    'token.refresh',
    'token.reuse_detected',
    'logout',
    'login.success',
    'password.change',
    'role.assign',
    'login.success',
    'logout_all',
  ]);
  expect(events[0]).toMatchObject({ ip: '127.0.0.1', userAgent: 'audit-test/1.0', requestId: 'audit-register-user', actorId: null });
  expect(events.find((event) => event.event === 'role.assign')).toMatchObject({ actorId: admin.id });
  const text = JSON.stringify(events);
  for (const secret of ['Audit-Passphrase-77', 'Wrong-Passphrase-88', 'Audit-Passphrase-99', registered.token, login.refreshToken]) {
    expect(text).not.toContain(secret);
  }
});

it('records a login failure for an unknown email without a user, and a role creation with its actor', async () => {
  await post('/login-user', { email: 'nobody-at-all@example.com', password: 'Whatever-pass-1' });
  await post('/create-role', { name: `audited-${Date.now()}`, permissions: ['users:read'] }, admin.token);
  const latest = (await perform(server, 'graphql', auditCall(5), admin.token)).data!.edges.map((edge) => edge.node);
  expect(latest[0]).toMatchObject({ event: 'role.create', userId: null, actorId: admin.id });
  expect(latest[1]).toMatchObject({ event: 'login.failure', userId: null });
});

it('writes nothing to the trail when the change itself fails', async () => {
  const before = (await perform(server, 'rest', auditCall(1), admin.token)).data!.edges[0]!.node.id;
  await post('/register-user', registration({ role: 'admin' }));
  await post('/register-user', registration({ email: 'not-an-email' }));
  const after = (await perform(server, 'rest', auditCall(1), admin.token)).data!.edges[0]!.node.id;
  expect(after).toBe(before);
});

describe.each(SURFACES)('auditEvents on %s', (surface) => {
  it('needs audit:read and pages newest first', async () => {
    const plain = await accountWithRole(server, 'user');
    expect((await perform(server, surface, auditCall(5), undefined)).code).toBe('UNAUTHENTICATED');
    expect((await perform(server, surface, auditCall(5), plain.token)).code).toBe('FORBIDDEN');
    const first = await perform(server, surface, auditCall(3), admin.token);
    const second = await perform(server, surface, auditCall(3, first.data!.pageInfo.endCursor!), admin.token);
    const ids = [...first.data!.edges, ...second.data!.edges].map((edge) => Number(edge.node.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
    expect((await perform(server, surface, auditCall(3, 'bm9wZQ'), admin.token)).code).toBe('BAD_USER_INPUT');
  });
});
