import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const main = fileURLToPath(new URL('../../src/server/main.ts', import.meta.url));
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.dispose());

function janus(env: Record<string, string>) {
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      BCRYPT_COST: '4',
      JANUS_DATA_DIR: database.dataDir,
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      ...env,
    },
    // Not the repository: nothing may depend on the directory the server is started from.
    cwd: database.dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, output: () => ({ stdout, stderr }) };
}

it('starts from the command line, prints the GraphQL, REST and OpenAPI URLs, and stops on SIGTERM', async () => {
  const { child, output } = janus({ LOG_LEVEL: 'silent' });
  const exited = once(child, 'exit');
  while (!output().stdout.includes('OpenAPI')) {
    if (child.exitCode !== null) throw new Error(`janus exited early: ${output().stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = (label: string) => new RegExp(`${label}\\s+(http://\\S+)`).exec(output().stdout)?.[1];
  expect(url('GraphQL')).toMatch(/\/graphql$/);
  expect(url('REST')).toMatch(/\/rest$/);

  const openApi = await fetch(url('OpenAPI')!);
  expect(openApi.status).toBe(200);
  const document = (await openApi.json()) as { servers: { url: string }[]; paths: Record<string, unknown> };
  expect(document.servers).toEqual([{ url: '/rest' }]);
  expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/login-user', '/register-user', '/me']));

  child.kill('SIGTERM');
  const [code] = await exited;
  expect(code).toBe(0);
});

it('refuses an invalid configuration value with one clear line and exit code 1', async () => {
  const { child, output } = janus({ BCRYPT_COST: '99' });
  const [code] = await once(child, 'exit');
  expect(code).toBe(1);
  expect(output().stderr.trim().split('\n')).toEqual(['janus: BCRYPT_COST must be between 4 and 15, got 99']);
});

it('refuses to start with an unreachable database, in one line and with exit code 1', async () => {
  const { child, output } = janus({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
  const [code] = await once(child, 'exit');
  expect(code).toBe(1);
  const lines = output().stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^janus: start-up failed: .*ECONNREFUSED/);
});
