import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCalls } from '../support/admin-calls.ts';
import { authCalls } from '../support/auth-calls.ts';
import { accountWithRole, registration, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES, type AnyCall, type Surface } from '../support/surfaces.ts';

let server: TestServer;
let admin: Awaited<ReturnType<typeof accountWithRole>>;
let plainUser: Awaited<ReturnType<typeof accountWithRole>>;
let auditor: Awaited<ReturnType<typeof accountWithRole>>;

beforeAll(async () => {
  server = await startTestServer();
  await server.running.services.roles.create({ name: 'auditor', permissions: ['users:read'] }, 'operator');
  [admin, plainUser, auditor] = await Promise.all([
    accountWithRole(server, 'admin'),
    accountWithRole(server, 'user'),
    accountWithRole(server, 'auditor'),
  ]);
});
afterAll(() => server?.close());

const calls = adminCalls;

const REST_STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400, ROLE_EXISTS: 409 };

describe.each(SURFACES)('roles and permissions on %s', (surface) => {
  async function expectFailure(call: AnyCall, token: string | undefined, code: string) {
    const outcome = await perform(server, surface, call, token);
    expect(outcome.code).toBe(code);
    expect(outcome.status).toBe(surface === 'rest' ? REST_STATUS[code] : 200);
  }

  const who = () => ({ anonymous: undefined, user: plainUser.token, auditor: auditor.token, admin: admin.token });

  it('lets only callers with users:read read a user: anonymous 401, user 403, auditor and admin 200', async () => {
    await expectFailure(calls.user(plainUser.id), who().anonymous, 'UNAUTHENTICATED');
    await expectFailure(calls.user(plainUser.id), who().user, 'FORBIDDEN');
    for (const token of [who().auditor, who().admin]) {
      const outcome = await perform(server, surface, calls.user(plainUser.id), token);
      expect(outcome.data).toMatchObject({ id: plainUser.id, email: plainUser.email, role: 'user' });
    }
  });

  it('answers NOT_FOUND for an unknown or malformed user id', async () => {
    await expectFailure(calls.user('00000000-0000-4000-8000-00000000dead'), admin.token, 'NOT_FOUND');
    await expectFailure(calls.user('not-a-uuid'), admin.token, 'NOT_FOUND');
  });

  it('pages through users with cursors, capping first at 100', async () => {
    const seen = new Set<string>();
    let after: string | undefined;
    for (let page = 0; page < 50; page++) {
      const outcome = await perform(server, surface, calls.users(2, after), auditor.token);
      const connection = outcome.data!;
      expect(connection.edges.length).toBeLessThanOrEqual(2);
      for (const edge of connection.edges) {
        expect(seen.has(edge.node.id)).toBe(false);
        seen.add(edge.node.id);
        expect(edge.node.email).toContain('@');
      }
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor!;
    }
    expect([admin.id, plainUser.id, auditor.id].every((id) => seen.has(id))).toBe(true);

    const capped = await perform(server, surface, calls.users(1000), auditor.token);
    expect(capped.data!.edges.length).toBeLessThanOrEqual(100);
    await expectFailure(calls.users(0), auditor.token, 'BAD_USER_INPUT');
    await expectFailure(calls.users(5, 'bm90LWEtY3Vyc29y'), auditor.token, 'BAD_USER_INPUT');
  });

  it('lists roles for roles:read only, with sorted permissions', async () => {
    await expectFailure(calls.roles(), undefined, 'UNAUTHENTICATED');
    await expectFailure(calls.roles(), auditor.token, 'FORBIDDEN');
    const outcome = await perform(server, surface, calls.roles(), admin.token);
    const adminRole = outcome.data!.find((role) => role.name === 'admin');
    expect(adminRole).toMatchObject({ selfAssignable: false });
    expect(adminRole!.permissions).toEqual([...adminRole!.permissions].sort());
    expect(outcome.data!.map((role) => role.name)).toEqual(expect.arrayContaining(['user', 'employee', 'admin', 'auditor']));
  });

  it('creates a role for roles:write only, and refuses duplicates and malformed permissions', async () => {
    const name = `custom-${surface}-${Date.now()}`;
    await expectFailure(calls.createRole({ name, permissions: ['a:b'] }), plainUser.token, 'FORBIDDEN');
    const created = await perform(server, surface, calls.createRole({ name, permissions: ['users:read', 'audit:read', 'users:read'] }), admin.token);
    expect(created.data).toMatchObject({ name, permissions: ['audit:read', 'users:read'], selfAssignable: false });
    await expectFailure(calls.createRole({ name, permissions: [] }), admin.token, 'ROLE_EXISTS');
    await expectFailure(calls.createRole({ name: `${name}-x`, permissions: ['no-colon'] }), admin.token, 'BAD_USER_INPUT');
    await expectFailure(calls.createRole({ name: 'Has Spaces', permissions: [] }), admin.token, 'BAD_USER_INPUT');
  });

  it('lets a new self-assignable role be chosen at registration with its permissions in the payload', async () => {
    const name = `volunteer-${surface}-${Date.now()}`;
    await perform(server, surface, calls.createRole({ name, permissions: ['users:read', 'roles:read'], selfAssignable: true }), admin.token);
    const registered = await perform(server, surface, authCalls.register(registration({ role: name })));
    expect(registered.status).toBe(200);
    expect(registered.data?.permissions).toEqual(['roles:read', 'users:read']);
    expect(registered.data?.user.role).toBe(name);
  });

  it('applies an assigned role on the user’s very next request', async () => {
    const target = await accountWithRole(server, 'user');
    await expectFailure(calls.user(target.id), target.token, 'FORBIDDEN');
    await expectFailure(calls.assignRole(target.id, 'auditor'), auditor.token, 'FORBIDDEN');

    const assigned = await perform(server, surface, calls.assignRole(target.id, 'auditor'), admin.token);
    expect(assigned.data).toMatchObject({ id: target.id, role: 'auditor' });
    // The old token carries the old role: it stops working at once.
    await expectFailure(calls.user(target.id), target.token, 'UNAUTHENTICATED');
    const relogin = await server.rest<{ token: string; permissions: string[] }>('POST', '/login-user', {
      body: { email: target.email, password: registration().password },
    });
    expect(relogin.body.permissions).toEqual(['users:read']);
    const outcome = await perform(server, surface, calls.user(target.id), relogin.body.token);
    expect(outcome.data).toMatchObject({ id: target.id, role: 'auditor' });

    await expectFailure(calls.assignRole(target.id, 'no-such-role'), admin.token, 'NOT_FOUND');
    await expectFailure(calls.assignRole('00000000-0000-4000-8000-00000000dead', 'user'), admin.token, 'NOT_FOUND');
  });
});

/** Fails with `code` (and its REST status), its message matching `message`. */
async function expectRefusal(on: TestServer, surface: Surface, call: AnyCall, token: string, code: string, message: RegExp) {
  const outcome = await perform(on, surface, call, token);
  expect(outcome).toMatchObject({ code, status: surface === 'rest' ? { FORBIDDEN: 403, LAST_ROLE_ADMIN: 409 }[code] : 200 });
  expect(outcome.message).toMatch(message);
}

/** The audit events written after event `afterId`, oldest first (read by `reader`, who holds audit:read). */
async function auditEventsSince(on: TestServer, reader: string, afterId: number) {
  const page = await perform(on, 'rest', adminCalls.auditEvents(100), reader);
  return page.data!.edges.map((edge) => edge.node).filter((event) => Number(event.id) > afterId).reverse();
}

async function lastAuditId(on: TestServer, reader: string): Promise<number> {
  return Number((await perform(on, 'rest', adminCalls.auditEvents(1), reader)).data!.edges[0]?.node.id ?? 0);
}

describe('a caller with roles:write grants only what their own role grants', () => {
  let own: TestServer;
  let boss: Awaited<ReturnType<typeof accountWithRole>>;
  let keeper: Awaited<ReturnType<typeof accountWithRole>>;
  beforeAll(async () => {
    own = await startTestServer();
    await own.running.services.roles.create({ name: 'role-keeper', permissions: ['roles:write'] }, 'operator');
    [boss, keeper] = await Promise.all([accountWithRole(own, 'admin'), accountWithRole(own, 'role-keeper')]);
  });
  afterAll(() => own?.close());

  it.each(SURFACES)('on %s: no role with more, no assigning more, no demoting who holds more; each refusal audited', async (surface) => {
    const target = await accountWithRole(own, 'user');
    const before = await lastAuditId(own, boss.token);

    await expectRefusal(own, surface, adminCalls.createRole({ name: `wider-${surface}`, permissions: ['roles:write', 'audit:read'] }), keeper.token, 'FORBIDDEN', /audit:read/);
    await expectRefusal(own, surface, adminCalls.assignRole(target.id, 'admin'), keeper.token, 'FORBIDDEN', /"admin".*audit:read, clients:read, clients:write, roles:read, users:read, users:write/);
    await expectRefusal(own, surface, adminCalls.assignRole(keeper.id, 'admin'), keeper.token, 'FORBIDDEN', /audit:read/);
    await expectRefusal(own, surface, adminCalls.assignRole(boss.id, 'user'), keeper.token, 'FORBIDDEN', /holds audit:read/);

    // Within its own permissions the same caller still works.
    const narrower = await perform(own, surface, adminCalls.createRole({ name: `keepers-${surface}`, permissions: ['roles:write'] }), keeper.token);
    expect(narrower.data).toMatchObject({ permissions: ['roles:write'] });
    expect((await perform(own, surface, adminCalls.assignRole(target.id, `keepers-${surface}`), keeper.token)).data).toMatchObject({ role: `keepers-${surface}` });
    expect((await perform(own, surface, adminCalls.user(boss.id), boss.token)).data).toMatchObject({ role: 'admin' });

    const events = await auditEventsSince(own, boss.token, before);
    expect(events.filter((event) => event.event === 'role.grant_refused')).toEqual([
      expect.objectContaining({ userId: null, actorId: keeper.id }),
      expect.objectContaining({ userId: target.id, actorId: keeper.id }),
      // About the caller themselves: the trail names them as the user, with no separate actor.
      expect.objectContaining({ userId: keeper.id, actorId: null }),
      expect.objectContaining({ userId: boss.id, actorId: keeper.id }),
    ]);
    expect(events.map((event) => event.event)).toEqual(['role.grant_refused', 'role.grant_refused', 'role.grant_refused', 'role.grant_refused', 'role.create', 'role.assign']);
  });
});

describe('the last holder of roles:write', () => {
  let own: TestServer;
  let boss: Awaited<ReturnType<typeof accountWithRole>>;
  beforeAll(async () => {
    own = await startTestServer();
    await own.running.services.roles.create({ name: 'role-keeper', permissions: ['roles:write'] }, 'operator');
    boss = await accountWithRole(own, 'admin');
  });
  afterAll(() => own?.close());

  it('cannot lose it, on either surface, while another holder can; each refusal audited', async () => {
    const keeper = await accountWithRole(own, 'role-keeper');
    const before = await lastAuditId(own, boss.token);
    // Two holders: either may lose roles:write.
    expect((await perform(own, 'rest', adminCalls.assignRole(keeper.id, 'user'), boss.token)).data).toMatchObject({ role: 'user' });

    for (const surface of SURFACES) {
      await expectRefusal(own, surface, adminCalls.assignRole(boss.id, 'user'), boss.token, 'LAST_ROLE_ADMIN', /last one holding roles:write/);
    }
    // Nothing changed: the token (which a role change would have revoked) still works.
    expect((await perform(own, 'graphql', adminCalls.user(boss.id), boss.token)).data).toMatchObject({ role: 'admin' });

    const events = await auditEventsSince(own, boss.token, before);
    expect(events.map(({ event, userId }) => ({ event, userId }))).toEqual([
      { event: 'role.assign', userId: keeper.id },
      { event: 'role.demote_refused', userId: boss.id },
      { event: 'role.demote_refused', userId: boss.id },
    ]);
  });
});
