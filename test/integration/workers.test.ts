import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthPayloadFields } from '../support/operations.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { childPids, isAlive, spawnJanus } from '../support/janus-process.ts';
import { registration } from '../support/server.ts';

const janus = (env: Record<string, string>) => spawnJanus({ env: { LOG_LEVEL: 'silent', JANUS_LOGIN_RATE_LIMIT: '100000/300', ...env } });

it('refuses JANUS_WORKERS above 1 without DATABASE_URL, in one line', async () => {
  const { exited, output } = janus({ JANUS_WORKERS: '2', JANUS_DATA_DIR: '/tmp/janus-never-created' });
  expect(await exited()).toBe(1);
  expect(output().stderr).toBe('janus: JANUS_WORKERS above 1 needs DATABASE_URL: the embedded database belongs to one process\n');
});

describe.runIf(process.env.JANUS_TEST_DB === 'server')('with JANUS_WORKERS=2', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.dispose());

  it('serves from two worker processes that share all state, and stops them all on SIGTERM', async () => {
    const { child, output, bannerUrl, exited } = janus({ JANUS_WORKERS: '2', DATABASE_URL: database.databaseUrl!, JANUS_DATA_DIR: database.dataDir });
    try {
      const rest = await bannerUrl('REST');
      expect(output().stdout).toContain('(2 workers)');
      for (let i = 0; i < 50 && childPids(child.pid!).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(childPids(child.pid!)).toHaveLength(2);

      const input = registration();
      const post = (path: string, body: unknown, token?: string) =>
        fetch(`${rest}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
      const registered = (await (await post('/register-user', input)).json()) as AuthPayloadFields;
      // Fresh connections each time, so the requests spread over both workers.
      const statuses = await Promise.all(
        Array.from({ length: 20 }, () => fetch(`${rest}/me`, { headers: { authorization: `Bearer ${registered.token}`, connection: 'close' } }).then((r) => r.status)),
      );
      expect(statuses).toEqual(Array(20).fill(200));
      expect((await post('/logout-all', {}, registered.token)).status).toBe(200);
      const after = await Promise.all(
        Array.from({ length: 10 }, () => fetch(`${rest}/me`, { headers: { authorization: `Bearer ${registered.token}`, connection: 'close' } }).then((r) => r.status)),
      );
      expect(after).toEqual(Array(10).fill(401));

      const workers = childPids(child.pid!);
      child.kill('SIGTERM');
      expect(await exited()).toBe(0);
      expect(workers.filter((pid) => childPids(pid).length > 0 || isAlive(pid))).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
