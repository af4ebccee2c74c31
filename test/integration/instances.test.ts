import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthPayloadFields, UserFields } from '../support/operations.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { spawnJanus, type JanusProcess } from '../support/janus-process.ts';
import { registration } from '../support/server.ts';

/** Plain REST calls to one instance. */
function client(rest: string) {
  const call = async <T>(method: string, path: string, body?: unknown, token?: string, ip?: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${rest}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(ip ? { 'x-forwarded-for': ip } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  return call;
}

// Two Janus processes on their own ports need one database both can open: a server (the
// embedded database belongs to the one process that started it), and one Redis.
describe.runIf(process.env.JANUS_TEST_DB === 'server')('two Janus processes on one PostgreSQL and one Redis', () => {
  let database: TestDatabase;
  let processes: JanusProcess[] = [];
  let a: ReturnType<typeof client>;
  let b: ReturnType<typeof client>;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:6379', JANUS_TRUST_PROXY: 'true', JANUS_LOGIN_RATE_LIMIT: '3/60', JANUS_LOGIN_EMAIL_RATE_LIMIT: '3/60', JANUS_REFRESH_REUSE_INTERVAL: '0' };
    // One after the other: the first applies the migrations and generates the shared key.
    const first = spawnJanus({ env, database });
    const firstRest = await first.bannerUrl('REST');
    const second = spawnJanus({ env, database });
    processes = [first, second];
    a = client(firstRest);
    b = client(await second.bannerUrl('REST'));
  });
  afterAll(async () => {
    for (const process of processes) {
      process.child.kill('SIGTERM');
      await process.exited();
    }
    await database?.dispose();
  });

  /** A fresh client address per registration, so the 3-per-address limit never gets in the way. */
  const ip = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

  async function register(): Promise<AuthPayloadFields> {
    const response = await a<AuthPayloadFields>('POST', '/register-user', registration(), undefined, ip());
    expect(response.status).toBe(200);
    return response.body;
  }

  it('accepts on B a token issued by A', async () => {
    const session = await register();
    expect((await b<UserFields>('GET', '/me', undefined, session.token)).body.id).toBe(session.user.id);
  });

  it('rejects on B a refresh token rotated on A, and that replay revokes the family everywhere', async () => {
    const session = await register();
    const rotated = await a<AuthPayloadFields>('POST', '/refresh-token', { refreshToken: session.refreshToken }, undefined, ip());
    expect(rotated.status).toBe(200);
    expect((await b('POST', '/refresh-token', { refreshToken: session.refreshToken }, undefined, ip())).status).toBe(401);
    expect((await a('POST', '/refresh-token', { refreshToken: rotated.body.refreshToken }, undefined, ip())).status).toBe(401);
    expect((await b('GET', '/me', undefined, rotated.body.token)).status).toBe(401);
  });

  it('rejects on B, at once, an access token whose owner ran logoutAll on A', async () => {
    const session = await register();
    expect((await b('GET', '/me', undefined, session.token)).status).toBe(200);
    expect((await a('POST', '/logout-all', undefined, session.token)).status).toBe(200);
    expect((await b('GET', '/me', undefined, session.token)).status).toBe(401);
  });

  it('shares rate-limit counts between A and B', async () => {
    const email = `shared-${Date.now()}-${Math.random()}@example.com`;
    const attempt = (instance: typeof a) => instance<unknown>('POST', '/login-user', { email, password: 'Wrong-pass-123' }, undefined, ip());
    expect((await attempt(a)).status).toBe(401);
    expect((await attempt(b)).status).toBe(401);
    expect((await attempt(a)).status).toBe(401);
    expect((await attempt(b)).status).toBe(429);
  });
});
