import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  /** Undefined in embedded mode: the server then starts PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  mode: 'embedded' | 'server';
  dispose(): Promise<void>;
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A database no other test touches: a fresh data folder for the embedded mode, or, with
 * JANUS_TEST_DB=server, a fresh database created on the server at TEST_DATABASE_URL.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'janus-test-'));
  const removeDataDir = () => rm(dataDir, { recursive: true, force: true });
  if (process.env.JANUS_TEST_DB !== 'server') {
    return { databaseUrl: undefined, dataDir, mode: 'embedded', dispose: removeDataDir };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('JANUS_TEST_DB=server needs TEST_DATABASE_URL');
  const name = `janus_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir,
    mode: 'server',
    async dispose() {
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
      await removeDataDir();
    },
  };
}
