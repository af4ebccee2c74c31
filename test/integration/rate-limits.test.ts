import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authOperations } from '../support/operations.ts';
import { capturingLogger, registration, startTestServer, uniqueEmail, type TestServer } from '../support/server.ts';

const LIMIT = { JANUS_LOGIN_RATE_LIMIT: '3/60', JANUS_TRUST_PROXY: 'true' };

/** An address no other test (or concurrent test run sharing Redis) uses. */
const freshIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

interface Attempt {
  status: number;
  code?: string;
  retryAfter: string | null;
}

async function login(server: TestServer, surface: 'graphql' | 'rest', email: string, ip: string): Promise<Attempt> {
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': ip };
  const response =
    surface === 'rest'
      ? await fetch(`${server.running.restUrl}/login-user`, { method: 'POST', headers, body: JSON.stringify({ email, password: 'wrong password' }) })
      : await fetch(server.running.graphqlUrl, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query: authOperations, operationName: 'LoginUser', variables: { email, password: 'wrong password' } }),
        });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, retryAfter: response.headers.get('retry-after') };
}

describe('with the in-memory store', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(LIMIT);
  });
  afterAll(() => server?.close());

  it('counts attempts on one email from many addresses, on GraphQL and REST together', async () => {
    const email = uniqueEmail();
    const first = [await login(server, 'graphql', email, freshIp()), await login(server, 'rest', email, freshIp()), await login(server, 'graphql', email, freshIp())];
    expect(first.map((attempt) => attempt.code)).toEqual(Array(3).fill('INVALID_CREDENTIALS'));

    const rest = await login(server, 'rest', email.toUpperCase(), freshIp());
    expect(rest).toEqual({ status: 429, code: 'RATE_LIMITED', retryAfter: '60' });
    const graphql = await login(server, 'graphql', ` ${email} `, freshIp());
    expect(graphql).toMatchObject({ status: 200, code: 'RATE_LIMITED', retryAfter: '60' });
  });

  it('counts attempts from one address on many emails', async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) expect((await login(server, 'rest', uniqueEmail(), ip)).code).toBe('INVALID_CREDENTIALS');
    expect(await login(server, 'rest', uniqueEmail(), ip)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect((await login(server, 'rest', uniqueEmail(), freshIp())).code).toBe('INVALID_CREDENTIALS');
  });

  it('limits registration and refresh the same way', async () => {
    const email = uniqueEmail();
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${server.running.restUrl}/register-user`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIp() },
        body: JSON.stringify(registration({ email })),
      });
      outcomes.push(response.status);
    }
    expect(outcomes).toEqual([200, 409, 409, 429]);

    const refreshes = [];
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${server.running.restUrl}/refresh-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIp() },
        body: JSON.stringify({ refreshToken: 'stolen-token-being-guessed' }),
      });
      refreshes.push(response.status);
    }
    expect(refreshes).toEqual([401, 401, 401, 429]);
  });

  it('does not limit other operations', async () => {
    const ip = freshIp();
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${server.running.restUrl}/me`, { headers: { 'x-forwarded-for': ip } });
      expect(response.status).toBe(401);
    }
  });
});

describe('without a trusted proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ JANUS_LOGIN_RATE_LIMIT: '3/60' });
  });
  afterAll(() => server?.close());

  it('ignores X-Forwarded-For, which any client can write', async () => {
    for (let i = 0; i < 3; i++) expect((await login(server, 'rest', uniqueEmail(), freshIp())).code).toBe('INVALID_CREDENTIALS');
    expect((await login(server, 'rest', uniqueEmail(), freshIp())).code).toBe('RATE_LIMITED');
  });
});

describe('with Redis', () => {
  const redis = { ...LIMIT, REDIS_URL: 'redis://127.0.0.1:6379' };

  it('shares the counts between instances', async () => {
    const a = await startTestServer(redis);
    const b = await startTestServer(redis);
    try {
      const email = uniqueEmail();
      expect((await login(a, 'rest', email, freshIp())).code).toBe('INVALID_CREDENTIALS');
      expect((await login(b, 'graphql', email, freshIp())).code).toBe('INVALID_CREDENTIALS');
      expect((await login(a, 'rest', email, freshIp())).code).toBe('INVALID_CREDENTIALS');
      expect(await login(b, 'rest', email, freshIp())).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('fails open to per-instance counting when Redis is unreachable, and says so in the log', async () => {
    const log = capturingLogger('warn');
    const server = await startTestServer({ ...LIMIT, REDIS_URL: 'redis://127.0.0.1:1' }, undefined, log.logger);
    try {
      const email = uniqueEmail();
      for (let i = 0; i < 3; i++) expect((await login(server, 'rest', email, freshIp())).code).toBe('INVALID_CREDENTIALS');
      expect((await login(server, 'rest', email, freshIp())).code).toBe('RATE_LIMITED');
      expect(log.lines().filter((line) => String(line.msg).includes('rate-limit store (Redis) unavailable'))).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
