import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { spawnJanus } from '../support/janus-process.ts';
import { startTestServer } from '../support/server.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.dispose());

/** Runs `npm run janus -- …` as an operator would, against the test database. */
async function janus(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = spawnJanus({ entry: 'cli', args, stdin, database });
  const code = await cli.exited();
  return { code, ...cli.output() };
}

it('creates an admin whose password comes from stdin, and that admin can log in and read users', async () => {
  const created = await janus(['create-admin', '--email', 'Root@Example.com'], 'operator password 1\n');
  expect(created).toMatchObject({ code: 0, stderr: '' });
  expect(created.stdout).toMatch(/^created admin root@example\.com \(id [0-9a-f-]{36}\)\n$/);

  const server = await startTestServer({}, database);
  try {
    const login = await server.rest<{ token: string; permissions: string[]; user: { role: string } }>('POST', '/login-user', {
      body: { email: 'root@example.com', password: 'operator password 1' },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.role).toBe('admin');
    expect(login.body.permissions).toContain('users:read');
    expect((await server.rest('GET', '/users', { token: login.body.token })).status).toBe(200);
  } finally {
    await server.stop();
  }
});

it('creates and lists roles', async () => {
  const created = await janus(['roles', 'create', 'support', '--permissions', 'users:read,tickets:write', '--self-assignable']);
  expect(created).toMatchObject({ code: 0, stdout: 'created role support with 2 permission(s)\n' });
  const listed = await janus(['roles', 'list']);
  expect(listed.code).toBe(0);
  expect(listed.stdout.split('\n')).toContain('support\tself-assignable\ttickets:write,users:read');
  expect(listed.stdout).toMatch(/^admin\tassigned only\t.*users:read/m);
});

it.each([
  ['an unknown command', ['frobnicate'], 2, /unknown command/],
  ['create-admin without --email', ['create-admin'], 2, /--email is required/],
  ['roles create without a name', ['roles', 'create', '--permissions', 'a:b'], 2, /needs a NAME/],
  ['a malformed permission', ['roles', 'create', 'ops', '--permissions', 'nocolon'], 1, /not a resource:action permission/],
  ['a duplicate role', ['roles', 'create', 'admin', '--permissions', 'a:b'], 1, /already exists/],
])('rejects %s with a clear message and a non-zero exit', async (_name, args, code, message) => {
  const result = await janus(args);
  expect(result.code).toBe(code);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

it('refuses a weak admin password read from stdin', async () => {
  const result = await janus(['create-admin', '--email', 'weak@example.com'], 'short\n');
  expect(result.code).toBe(1);
  expect(result.stderr).toBe('janus: Password must be between 8 and 72 bytes long\n');
});
