import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { spawnJanus } from '../support/janus-process.ts';
import { poolAndMainNice } from '../support/threads.ts';

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
  expect(document.servers).toEqual([{ url: '/rest' }]);
  expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/login-user', '/register-user', '/me']));
  const docs = await fetch(await process.bannerUrl('Docs'));
  expect(docs.status).toBe(200);
  expect(docs.headers.get('content-type')).toBe('text/html; charset=utf-8');

  process.child.kill('SIGTERM');
  expect(await process.exited()).toBe(0);
});

it('runs with its memory settings for its kind of database, in the process it was started as (same pid)', async () => {
  const process = janus({ LOG_LEVEL: 'silent' });
  await process.bannerUrl('GraphQL');
  const pid = process.child.pid;
  if (pid === undefined) throw new Error('no pid');
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  // The embedded database trades speed for memory; with a server, only the heap caps apply.
  const embeddedOnly = ['--liftoff-only', '--no-concurrent-recompilation', '--optimize-for-size', '--no-maglev'];
  if (database.mode === 'embedded') {
    expect(argv).toEqual(expect.arrayContaining([...embeddedOnly, '--max-semi-space-size=4', '--heap-growing-percent=30']));
  } else {
    expect(argv).toEqual(expect.arrayContaining(['--max-semi-space-size=8', '--heap-growing-percent=30']));
    expect(argv.filter((flag) => embeddedOnly.includes(flag))).toEqual([]);
  }
  const environment = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
  expect(environment).toContain('MALLOC_ARENA_MAX=2');
  process.child.kill('SIGTERM');
  expect(await process.exited()).toBe(0);
});

it('keeps a heap setting the operator gave instead of its own', async () => {
  const process = janus({ LOG_LEVEL: 'silent', NODE_OPTIONS: '--max-semi-space-size=2' });
  await process.bannerUrl('GraphQL');
  const argv = (await readFile(`/proc/${process.child.pid}/cmdline`, 'utf8')).split('\0');
  expect(argv.filter((flag) => flag.startsWith('--max-semi-space-size'))).toEqual([]);
  expect(argv).toContain('--heap-growing-percent=30');
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

it.each([
  [{}, 10],
  [{ JANUS_THREAD_POOL_NICE: '0' }, 0],
])('runs libuv pool threads (bcrypt, WebCrypto) below the event loop: with %o at nice %i', async (env, poolNice) => {
  const process = janus({ LOG_LEVEL: 'silent', ...env });
  await process.bannerUrl('GraphQL');
  const { pool, main } = await poolAndMainNice(process.child.pid!);
  expect(pool.length).toBeGreaterThanOrEqual(2);
  expect(pool).toEqual(pool.map(() => poolNice));
  expect(main).toBe(0);
  process.child.kill('SIGTERM');
  expect(await process.exited()).toBe(0);
});
