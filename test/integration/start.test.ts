import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { childPids, isAlive, spawnJanus } from '../support/janus-process.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.dispose());

// Not the repository: nothing may depend on the directory the server is started from.
const janus = (env: Record<string, string>) => spawnJanus({ env, database, cwd: database.dataDir });

it('starts from the command line, prints the GraphQL, REST, OpenAPI and docs URLs, and stops on SIGTERM', async () => {
  const process = janus({ LOG_LEVEL: 'silent' });
  expect(await process.bannerUrl('GraphQL')).toMatch(/\/graphql$/);
  expect(await process.bannerUrl('REST')).toMatch(/\/rest$/);

  const openApi = await fetch(await process.bannerUrl('OpenAPI'));
  expect(openApi.status).toBe(200);
  const document = (await openApi.json()) as { servers: { url: string }[]; paths: Record<string, unknown> };
  expect(document.servers).toEqual([{ url: '/rest', 'x-internal': false }]);
  expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/login-user', '/register-user', '/me']));
  const docs = await fetch(await process.bannerUrl('Docs'));
  expect(docs.status).toBe(200);
  expect(docs.headers.get('content-type')).toBe('text/html; charset=utf-8');

  process.child.kill('SIGTERM');
  expect(await process.exited()).toBe(0);
});

it('names the looser development login limit in the banner, and prints no such line once JANUS_LOGIN_RATE_LIMIT is set', async () => {
  const development = janus({ LOG_LEVEL: 'silent' });
  await development.bannerUrl('Docs');
  expect(development.output().stdout).toContain(
    '  Limits   100 logins per 300 s per address: the development default (production: 10/300; set JANUS_LOGIN_RATE_LIMIT)\n',
  );
  development.child.kill('SIGTERM');
  expect(await development.exited()).toBe(0);

  const configured = janus({ LOG_LEVEL: 'silent', JANUS_LOGIN_RATE_LIMIT: '10/300' });
  await configured.bannerUrl('Docs');
  expect(configured.output().stdout).not.toContain('Limits');
  configured.child.kill('SIGTERM');
  expect(await configured.exited()).toBe(0);
});

it('stays the process it was started as: no flags of its own, no re-execution (Node and V8 tuning is the deployer\'s, see docs/operations.md)', async () => {
  const process = janus({ LOG_LEVEL: 'silent' });
  await process.bannerUrl('GraphQL');
  const argv = (await readFile(`/proc/${process.child.pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  expect(argv.filter((arg) => arg.startsWith('--'))).toEqual([]);
  expect(argv.at(-1)).toMatch(/main\.ts$/);
  process.child.kill('SIGTERM');
  expect(await process.exited()).toBe(0);
});

it('refuses an invalid configuration value with one clear line and exit code 1', async () => {
  const process = janus({ BCRYPT_COST: '99' });
  expect(await process.exited()).toBe(1);
  expect(process.output().stderr.trim().split('\n')).toEqual(['janus: BCRYPT_COST must be between 4 and 15, got 99']);
});

it('refuses to start with an unreachable database, in one line and with exit code 1', async () => {
  const process = janus({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
  expect(await process.exited()).toBe(1);
  const lines = process.output().stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^janus: start-up failed: .*ECONNREFUSED/);
});

it('refuses to start on a port another process holds, in one line and with exit code 1 (instead of hanging)', async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as AddressInfo).port;
  const process = janus({ PORT: String(port), LOG_LEVEL: 'silent' });
  // Also after a timeout: a server that hangs must not outlive the test.
  onTestFinished(() => {
    process.child.kill('SIGKILL');
    holder.close();
  });
  expect(await process.exited()).toBe(1);
  expect(process.output().stderr.trim().split('\n')).toEqual([`janus: start-up failed: listen EADDRINUSE: address already in use 127.0.0.1:${port}`]);
});

describe('in production with a database server', () => {
  // An unreachable server: the key check comes before any connection, and start-up stops there.
  const production = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
    JANUS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  };

  it('refuses to start without a configured signing key, in one line saying how to make one', async () => {
    const process = janus(production);
    expect(await process.exited()).toBe(1);
    expect(process.output().stderr.trim().split('\n')).toEqual([
      'janus: JANUS_JWT_PRIVATE_KEY is required in production with DATABASE_URL so that every instance signs with the same key: make one with `openssl genpkey -algorithm ed25519` (see docs/keys.md), or set JANUS_SINGLE_INSTANCE=true to keep a generated key in JANUS_DATA_DIR',
    ]);
  });

  it('gets past the key check when the operator declares a single instance (and then needs its database)', async () => {
    const process = janus({ ...production, JANUS_SINGLE_INSTANCE: 'true' });
    expect(await process.exited()).toBe(1);
    expect(process.output().stderr).toMatch(/^janus: start-up failed: .*ECONNREFUSED/);
  });
});

// `npm start` rebuilds dist/ in the repository, and how signals travel does not depend on the
// database: once, on the embedded one, so that two projects never rebuild dist/ at the same time.
describe.runIf(process.env.JANUS_TEST_DB !== 'server')('under `npm start`, as a process manager or a container runs it', () => {
  /** The server's PID: npm's only child once the server listens (npm runs it without a shell in between). */
  function serverPidUnder(npmPid: number): number {
    const children = childPids(npmPid);
    expect(children).toHaveLength(1);
    return children[0]!;
  }

  /** Whether something can listen on the port now (that is, the server let it go). */
  function portIsFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
  }

  function drainLines(stdout: string): string[] {
    return stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg: string }).msg)
      .filter((msg) => msg.startsWith('janus drain'));
  }

  it.each([
    ['SIGTERM sent to npm\'s own PID', (npmPid: number) => process.kill(npmPid, 'SIGTERM')],
    // A terminal's Ctrl-C reaches npm and the server, and npm forwards its copy as well.
    ['SIGINT sent to the whole process group (Ctrl-C)', (npmPid: number) => process.kill(-npmPid, 'SIGINT')],
  ])('stops the server on %s: it drains, logs the start and end of the drain, frees the port and exits', async (_name, signal) => {
    const npm = spawnJanus({ npmScript: 'start', database, env: { LOG_LEVEL: 'info' } });
    // A server left behind by a failure (or a timeout) still belongs to npm's process group.
    onTestFinished(() => {
      try {
        process.kill(-npm.child.pid!, 'SIGKILL');
      } catch {
        // Nothing left: the group is gone.
      }
    });
    const port = Number(new URL(await npm.bannerUrl('REST')).port);
    const serverPid = serverPidUnder(npm.child.pid!);

    signal(npm.child.pid!);
    expect(await npm.exited()).toBe(0);
    expect(isAlive(serverPid)).toBe(false);
    expect(await portIsFree(port)).toBe(true);
    expect(drainLines(npm.output().stdout)).toEqual([
      'janus draining: no new connections, finishing requests in flight',
      'janus drained: exiting',
    ]);
  }, 180_000);
});
