import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';

export interface BenchDatabase {
  url: string;
  name: string;
  serverVersion: string;
  drop(): Promise<void>;
}

export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A fresh database on the server at `adminUrl` (as test/support/database.ts makes them). */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `janus_bench_${randomBytes(6).toString('hex')}`;
  const serverVersion = await withClient(adminUrl, async (client) => {
    await client.query(`create database ${name}`);
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return rows[0]?.server_version ?? 'unknown';
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    serverVersion,
    // `with (force)`: a server or floor that could not be stopped must not keep the database alive.
    drop: () => withClient(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/**
 * Login sessions with one refresh token each, written straight into Janus's tables, for the
 * floor's rotation chain: the floor has no login of its own, and logging in through Janus would
 * cost a bcrypt round per token. The hash is Janus's (SHA-256 hex of the secret).
 */
export async function seedRefreshTokens(url: string, userId: string, count: number): Promise<string[]> {
  return withClient(url, async (client) => {
    const secrets: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const secret = randomBytes(32).toString('base64url');
      const sessionId = randomUUID();
      await client.query('insert into sessions (id, user_id, created_at, last_used_at) values ($1, $2, now(), now())', [sessionId, userId]);
      await client.query(
        "insert into refresh_tokens (id, session_id, token_hash, expires_at, created_at) values ($1, $2, $3, now() + interval '1 day', now())",
        [randomUUID(), sessionId, createHash('sha256').update(secret, 'utf8').digest('hex')],
      );
      secrets.push(secret);
    }
    return secrets;
  });
}
