import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketFileIn } from '../../src/db/embedded.ts';
import { createSecretBox } from '../../src/mfa/encryption.ts';
import { authCalls } from '../support/auth-calls.ts';
import { mfaCalls } from '../support/mfa-calls.ts';
import type { AuthPayloadFields } from '../support/operations.ts';
import { perform, SURFACES } from '../support/surfaces.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { spawnJanus, type JanusProcess } from '../support/janus-process.ts';
import { confirmAddress, registration, startTestServer } from '../support/server.ts';

let database: TestDatabase;
const run = promisify(execFile);
// Each CLI run and server start opens the embedded database in a new process: on a busy shared
// machine a test of several of them outlasts the default minute.
const PROCESS_TIMEOUT_MS = 180_000;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.dispose());

/** create-admin with every field an account has: the CLI invents none of them. */
const NAMES = ['--first-name', 'Grace', '--last-name', 'Hopper', '--phone', '+1 555 0100'];
const createAdmin = (email: string) => ['create-admin', '--email', email, ...NAMES];

/** Runs `npm run janus -- …` as an operator would, against the test database. */
async function janus(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = spawnJanus({ entry: 'cli', args, stdin, database });
  const code = await cli.exited();
  return { code, ...cli.output() };
}

it('creates an admin with the names and phone number given, whose password comes from stdin, and that admin can log in and read users', async () => {
  const created = await janus(createAdmin('Root@Example.com'), 'operator password 1\n');
  expect(created).toMatchObject({ code: 0, stderr: '' });
  expect(created.stdout).toMatch(/^created admin root@example\.com \(id [0-9a-f-]{36}\)\n$/);

  const server = await startTestServer({}, database);
  try {
    const login = await server.rest<{ token: string; permissions: string[]; user: Record<string, unknown> }>('POST', '/login-user', {
      body: { email: 'root@example.com', password: 'operator password 1' },
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ role: 'admin', firstName: 'Grace', lastName: 'Hopper', phoneNumber: '+1 555 0100' });
    expect(login.body.permissions).toContain('users:read');
    expect((await server.rest('GET', '/users', { token: login.body.token })).status).toBe(200);
  } finally {
    await server.stop();
  }
}, PROCESS_TIMEOUT_MS);

it('takes the password from the first line of piped input (a password and its confirmation)', { timeout: PROCESS_TIMEOUT_MS }, async () => {
  const created = await janus(createAdmin('twice@example.com'), 'first line only\nfirst line only\n');
  expect(created).toMatchObject({ code: 0, stderr: '' });
  const server = await startTestServer({}, database);
  try {
    const login = (password: string) => server.rest('POST', '/login-user', { body: { email: 'twice@example.com', password } });
    expect((await login('first line only')).status).toBe(200);
    expect((await login('first line only\nfirst line only')).status).toBe(400);
  } finally {
    await server.stop();
  }
});

it('refuses a password with a control character with BAD_USER_INPUT, creating nothing', { timeout: PROCESS_TIMEOUT_MS }, async () => {
  const refused = await janus(createAdmin('escape@example.com'), 'pass\u001b[0mword\n');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/^janus: password must not contain a control or direction-override character \(U\+001B at position 4\) \(BAD_USER_INPUT\)\n$/);
  const again = await janus(createAdmin('escape@example.com'), 'a fine password\n');
  expect(again.code).toBe(0);
});

it('creates and lists roles', { timeout: PROCESS_TIMEOUT_MS }, async () => {
  const created = await janus(['roles', 'create', 'support', '--permissions', 'users:read,tickets:write', '--self-assignable']);
  expect(created).toMatchObject({ code: 0, stdout: 'created role support with 2 permission(s)\n' });
  const listed = await janus(['roles', 'list']);
  expect(listed.code).toBe(0);
  expect(listed.stdout.split('\n')).toContain('support\tself-assignable\ttickets:write,users:read');
  expect(listed.stdout).toMatch(/^admin\tassigned only\t.*users:read/m);
});

it('creates, lists and deletes OAuth clients; the secret is printed once and never listed', { timeout: PROCESS_TIMEOUT_MS }, async () => {
  const created = await janus(['clients', 'create', '--name', 'Reports', '--grant-types', 'client_credentials', '--scopes', 'roles:read']);
  expect(created).toMatchObject({ code: 0, stderr: '' });
  const [, clientId] = /^client_id ([0-9a-f-]{36})$/m.exec(created.stdout) ?? [];
  const [, secret] = /^client_secret (\S+)/m.exec(created.stdout) ?? [];
  expect(clientId && secret).toBeTruthy();
  const listed = await janus(['clients', 'list']);
  expect(listed.stdout.split('\n')).toContain(`${clientId}\tReports\tclient_credentials\troles:read\t-`);
  expect(listed.stdout).not.toContain(secret);
  const refused = await janus(['clients', 'create', '--name', 'Bad', '--grant-types', 'implicit', '--scopes', 'roles:read']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('BAD_USER_INPUT');
  expect(await janus(['clients', 'delete', clientId!])).toMatchObject({ code: 0, stdout: `deleted client ${clientId}, its grants and tokens\n` });
  expect((await janus(['clients', 'list'])).stdout).not.toContain(clientId);
});

it('disables and enables a user by email: login answers ACCOUNT_DISABLED until enabled', { timeout: PROCESS_TIMEOUT_MS }, async () => {
  const email = 'locked@example.com';
  const password = 'operator password 2';
  expect((await janus(createAdmin(email), `${password}\n`)).code).toBe(0);
  const login = async () => {
    const server = await startTestServer({}, database);
    try {
      return await server.rest<{ errors?: { extensions: { code: string } }[] }>('POST', '/login-user', { body: { email, password } });
    } finally {
      await server.stop();
    }
  };

  const disabled = await janus(['users', 'disable', '--email', 'Locked@Example.com']);
  expect(disabled).toMatchObject({ code: 0, stderr: '' });
  expect(disabled.stdout).toMatch(/^disabled locked@example\.com \(id [0-9a-f-]{36}\)\n$/);
  const refused = await login();
  expect(refused.status).toBe(403);
  expect(refused.body.errors?.[0]?.extensions.code).toBe('ACCOUNT_DISABLED');

  const enabled = await janus(['users', 'enable', '--email', email]);
  expect(enabled).toMatchObject({ code: 0, stdout: disabled.stdout.replace('disabled', 'enabled') });
  expect((await login()).status).toBe(200);
});

it.each([
  ['an unknown command', ['frobnicate'], 2, /unknown command/],
  ['create-admin without --email', ['create-admin', ...NAMES], 2, /--email is required/],
  ['create-admin without --first-name', ['create-admin', '--email', 'a@example.com', '--last-name', 'Hopper', '--phone', '1'], 2, /--first-name is required/],
  ['create-admin without --last-name', ['create-admin', '--email', 'a@example.com', '--first-name', 'Grace', '--phone', '1'], 2, /--last-name is required/],
  ['create-admin without --phone', ['create-admin', '--email', 'a@example.com', '--first-name', 'Grace', '--last-name', 'Hopper'], 2, /--phone is required/],
  ['no command', [], 2, /no command given/],
  ['mail show with a number that is not one', ['mail', 'show', 'last'], 2, /mail show takes a mail number/],
  ['roles create without a name', ['roles', 'create', '--permissions', 'a:b'], 2, /needs a NAME/],
  ['a malformed permission', ['roles', 'create', 'ops', '--permissions', 'nocolon'], 1, /not a resource:action permission/],
  ['a duplicate role', ['roles', 'create', 'admin', '--permissions', 'a:b'], 1, /already exists/],
  ['users disable without --email', ['users', 'disable'], 2, /--email is required/],
  ['users enable for an unknown email', ['users', 'enable', '--email', 'nobody@example.com'], 1, /No user with this email/],
])('rejects %s with a clear message and a non-zero exit', async (_name, args, code, message) => {
  const result = await janus(args);
  expect(result.code).toBe(code);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

it.each([['--help'], ['-h']])('prints the usage of every command on stdout for %s and exits 0', async (flag) => {
  const result = await janus([flag]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  expect(result.stdout).toMatch(/^usage:\n/);
  for (const command of ['create-admin --email EMAIL --first-name NAME --last-name NAME --phone NUMBER', 'roles list', 'roles create NAME', 'clients list', 'clients create', 'clients delete CLIENT_ID', 'users disable', 'users enable', 'mail list', 'mail show [N]', '--help']) {
    expect(result.stdout).toContain(`npm run janus -- ${command}`);
  }
});

describe('development mail (no JANUS_SMTP_URL)', () => {
  /** Waits until a mail to `email` is in the data folder's mail/ (the server's sender writes it). */
  async function mailTo(email: string): Promise<void> {
    const dir = path.join(database.dataDir, 'mail');
    const deadline = Date.now() + 30_000;
    for (;;) {
      const files = await readdir(dir).catch(() => []);
      const contents = await Promise.all(files.map((file) => readFile(path.join(dir, file), 'utf8')));
      if (contents.some((content) => content.includes(`\nTo: ${email}\n`))) return;
      if (Date.now() > deadline) throw new Error(`no mail to ${email}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('mail list prints each mail\'s number, recipient, subject and links, mail show [N] its text, and the listed link\'s token works', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    const server = await startTestServer({}, database);
    try {
      const account = registration();
      expect((await server.rest('POST', '/register-user', { body: account })).status).toBe(200);
      const email = account.email.toLowerCase();
      await mailTo(email);

      const listed = await janus(['mail', 'list']);
      expect(listed).toMatchObject({ code: 0, stderr: '' });
      const entry = new RegExp(`^(\\d+)\\t${email.replace(/[.]/g, '\\.')}\\tConfirm your email address\\n\\thttp://localhost:3000/verify-email\\?token=([A-Za-z0-9_-]{43})$`, 'm').exec(listed.stdout);
      expect(entry, listed.stdout).not.toBeNull();
      const [, number, token] = entry!;

      const shown = await janus(['mail', 'show', number!]);
      expect(shown).toMatchObject({ code: 0, stderr: '' });
      expect(shown.stdout).toMatch(new RegExp(`^Mail ${number} of \\d+: .*\\.eml\\nFrom: Janus <janus@localhost>\\nTo: ${email.replace(/[.]/g, '\\.')}\\n`));
      expect(shown.stdout).toContain('Subject: Confirm your email address\n');
      expect(shown.stdout).toContain(`\nhttp://localhost:3000/verify-email?token=${token}\n`);
      expect(shown.stdout).toMatch(new RegExp(`^${token}$`, 'm'));
      // Without N: the newest, which is this one (nothing was mailed since).
      expect((await janus(['mail', 'show'])).stdout).toBe(shown.stdout);

      const verified = await server.rest<{ emailVerified: boolean }>('POST', '/verify-email', { body: { token } });
      expect(verified).toMatchObject({ status: 200, body: { emailVerified: true } });
    } finally {
      await server.stop();
    }
  });

  it('mail show with a number past the last mail says how many there are, exit 1', async () => {
    const result = await janus(['mail', 'show', '9999']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^janus: no mail number 9999: there are \d+ \(see mail list\)\n$/);
  });

  it('mail list in a data folder without mail says where it looked, exit 0', async () => {
    const cli = spawnJanus({ entry: 'cli', args: ['mail', 'list'], env: { JANUS_DATA_DIR: path.join(database.dataDir, 'nothing-here') } });
    expect(await cli.exited()).toBe(0);
    expect(cli.output().stdout).toBe(`no development mail in ${path.join(database.dataDir, 'nothing-here', 'mail')}\n`);
  });
});

it('refuses a weak admin password read from stdin', async () => {
  const result = await janus(createAdmin('weak@example.com'), 'short\n');
  expect(result.code).toBe(1);
  expect(result.stderr).toBe('janus: Password must be between 8 and 72 bytes long (BAD_USER_INPUT)\n');
});

describe('beside a running server on the same data', () => {
  let server: JanusProcess;
  let origin: string;

  beforeAll(async () => {
    server = spawnJanus({ database });
    origin = new URL(await server.bannerUrl('REST')).origin;
  }, PROCESS_TIMEOUT_MS);
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited();
  });

  it('creates an admin while the server runs, and the server lets that admin in at once', async () => {
    const created = await janus(createAdmin('beside@example.com'), 'operator password 2\n');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const login = await fetch(`${origin}/rest/login-user`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'beside@example.com', password: 'operator password 2' }),
    });
    expect(login.status).toBe(200);
    const { token, user } = (await login.json()) as { token: string; user: { role: string } };
    expect(user.role).toBe('admin');
    expect((await fetch(`${origin}/rest/users`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  }, PROCESS_TIMEOUT_MS);

  describe.runIf(process.env.JANUS_TEST_DB !== 'server')('on the embedded database', () => {
    it('serves it on an owner-only Unix socket in the data folder', async () => {
      expect((await stat(socketFileIn(database.dataDir))).mode & 0o777).toBe(0o600);
      expect((await stat(database.dataDir)).mode & 0o777).toBe(0o700);
    });

    it('answers psql through that socket', async () => {
      const { stdout } = await run('psql', ['-h', database.dataDir, '-U', 'postgres', '-d', 'postgres', '-Atc', 'select count(*) from users where email = $$beside@example.com$$']);
      expect(stdout).toBe('1\n');
    });

    it('refuses a second server on the same folder', async () => {
      const second = spawnJanus({ database });
      expect(await second.exited()).not.toBe(0);
      expect(second.output().stderr).toMatch(/in use by process \d+/);
    }, PROCESS_TIMEOUT_MS);
  });
});

describe.runIf(process.env.JANUS_TEST_DB !== 'server')('after the server on the embedded database stops', () => {
  it('leaves no socket behind, and the CLI opens the folder itself', async () => {
    const server = spawnJanus({ database });
    await server.bannerUrl('REST');
    server.child.kill('SIGTERM');
    expect(await server.exited()).toBe(0);
    await expect(stat(socketFileIn(database.dataDir))).rejects.toMatchObject({ code: 'ENOENT' });
    const listed = await janus(['roles', 'list']);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
  }, PROCESS_TIMEOUT_MS);
});

describe('keys rotate-encryption', () => {
  const totpCode = (secret: string, stepsAhead = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + stepsAhead * 30_000 });

  it('re-encrypts every TOTP secret with the new key: with the old key dropped, TOTP logins work on both surfaces', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    const own = await createTestDatabase();
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    let server = await startTestServer({ JANUS_ENCRYPTION_KEY: oldKey.toString('base64') }, own);
    try {
      const accounts: { email: string; password: string; secret: string }[] = [];
      // One account per surface: each logs in on its own below.
      for (let i = 0; i < SURFACES.length; i += 1) {
        const input = registration();
        const registered = await server.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
        // Enrolling a second factor needs a confirmed address (mfa.md).
        await confirmAddress(server, registered.body.user.id);
        const secret = (await perform(server, 'rest', mfaCalls.enroll(), registered.body.token)).data!.secret;
        expect((await perform(server, 'rest', mfaCalls.confirm(totpCode(secret)), registered.body.token)).data).toHaveLength(10);
        accounts.push({ email: input.email, password: input.password, secret });
      }
      await server.stop();

      const rotate = spawnJanus({
        entry: 'cli',
        args: ['keys', 'rotate-encryption'],
        database: own,
        env: { JANUS_ENCRYPTION_KEY: newKey.toString('base64'), JANUS_ENCRYPTION_KEYS_PREVIOUS: oldKey.toString('hex') },
      });
      expect(await rotate.exited(), rotate.output().stderr).toBe(0);
      expect(rotate.output().stdout).toMatch(/^re-encrypted 2 TOTP secret\(s\) with key [0-9a-f]{8}; 0 already used it\n$/);

      // Only the new key from here on.
      server = await startTestServer({ JANUS_ENCRYPTION_KEY: newKey.toString('base64') }, own);
      const onlyNew = createSecretBox({ key: newKey });
      const rows = await server.running.database.orm.em.getConnection().execute<{ user_id: string; secret: string }[]>('select user_id, secret from user_totp');
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(onlyNew.decrypt(row.secret, row.user_id)).toMatch(/^[A-Z2-7]{32}$/);
      for (const [index, surface] of SURFACES.entries()) {
        const account = accounts[index]!;
        const login = await perform(server, surface, authCalls.login(account.email, account.password));
        expect(login.code).toBe('MFA_REQUIRED');
        // The confirming code's step is spent: the next step's code, as a phone a little ahead shows it.
        const verified = await perform(server, surface, mfaCalls.verify(login.extensions!.mfaToken as string, totpCode(account.secret, 1)));
        expect(verified.code, verified.message).toBeUndefined();
        expect(verified.data?.token).toEqual(expect.any(String));
      }
    } finally {
      await server.stop();
      await own.dispose();
    }
  });
});
