import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthPayloadFields } from '../support/operations.ts';
import { createTestDatabase } from '../support/database.ts';
import { capturingLogger, registration, startTestServer, type TestServer } from '../support/server.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { spawnJanus } from '../support/janus-process.ts';

describe('health, readiness and request ids', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('answers /health while the process is alive and /ready when the database is usable', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('echoes a well-formed x-request-id and makes one up otherwise', async () => {
    expect((await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id')).toBe('abc-123');
    for (const given of [undefined, 'has spaces in it', 'x'.repeat(200)]) {
      const response = await fetch(`${server.url}/health`, { headers: given ? { 'x-request-id': given } : {} });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

it('never writes passwords, tokens or Authorization headers to the log', async () => {
  const log = capturingLogger('debug');
  const server = await startTestServer({ LOG_LEVEL: 'debug' }, undefined, log.logger);
  try {
    const input = registration({ password: 'Sekret-Passphrase-4711' });
    const registered = await server.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
    await server.rest('POST', '/login-user', { body: { email: input.email, password: input.password } });
    await server.rest('POST', '/login-user', { body: { email: input.email, password: 'Wrong-Passphrase-0815' } });
    await server.rest('GET', '/me', { token: registered.body.token });
    await server.rest('POST', '/refresh-token', { body: { refreshToken: registered.body.refreshToken } });
    await server.graphql('mutation ($p: String!) { loginUser(email: "x@y.zz", password: $p) { token } }', { variables: { p: 'Graphql-Passphrase-99' } });
    const accounts = server.running.services.accounts;
    const original = accounts.login;
    accounts.login = (_email, password) => Promise.reject(new Error(`driver failed for ${password}`));
    await server.rest('POST', '/login-user', { body: { email: input.email, password: 'Leaky-Passphrase-12' } });
    accounts.login = original;

    const text = log.text();
    expect(text.length).toBeGreaterThan(0);
    for (const secret of ['Sekret-Passphrase-4711', 'Wrong-Passphrase-0815', 'Graphql-Passphrase-99', registered.body.token, registered.body.refreshToken]) {
      expect(text).not.toContain(secret);
    }
  } finally {
    await server.close();
  }
});

describe('graceful shutdown', () => {
  it('answers every accepted request when stopped with SIGTERM under load, then exits 0', async () => {
    const database = await createTestDatabase();
    const { child, bannerUrl, exited: processExited } = spawnJanus({
      database,
      // Slow hashes keep the logins in flight long after they have all been accepted.
      env: { BCRYPT_COST: '12', LOG_LEVEL: 'silent', JANUS_LOGIN_RATE_LIMIT: '100000/300', JANUS_BCRYPT_QUEUE: '100' },
    });
    try {
      const rest = await bannerUrl('REST');
      const input = registration();
      expect((await fetch(`${rest}/register-user`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) })).status).toBe(200);

      const answeredAt: number[] = [];
      const logins = Array.from({ length: 12 }, () =>
        fetch(`${rest}/login-user`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: input.email, password: input.password }),
        }).then((response) => {
          answeredAt.push(Date.now());
          return response.status;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const stoppedAt = Date.now();
      child.kill('SIGTERM');
      expect(await Promise.all(logins)).toEqual(Array(12).fill(200));
      // The drain is what the test is about: some answers came after the signal.
      expect(Math.max(...answeredAt)).toBeGreaterThan(stoppedAt);
      expect(await processExited()).toBe(0);
      await expect(fetch(`${rest}/login-user`, { method: 'POST' })).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await database.dispose();
    }
  }, 60_000);
});

describe.runIf(process.env.JANUS_TEST_DB === 'server')('when the database goes away', () => {
  it('fails fast with SERVICE_UNAVAILABLE, reports not ready, and recovers by itself', async () => {
    const database = await createTestDatabase();
    const target = new URL(database.databaseUrl!);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(database.databaseUrl!);
    viaProxy.port = String(proxy.port);
    const server = await startTestServer({ DATABASE_URL: viaProxy.toString() }, database);
    try {
      const input = registration();
      const registered = await server.rest<{ token: string }>('POST', '/register-user', { body: input });
      expect(registered.status).toBe(200);
      // Executed once, so the next `me` is checked (and its token looked up) before parsing.
      expect((await server.graphql('{ me { id } }', { token: registered.body.token })).body.errors).toBeUndefined();

      await proxy.cut();
      const started = Date.now();
      const login = await server.rest<{ errors: { extensions: { code: string } }[] }>('POST', '/login-user', {
        body: { email: input.email, password: input.password },
      });
      expect(login.status).toBe(503);
      expect(login.body.errors[0]?.extensions.code).toBe('SERVICE_UNAVAILABLE');
      const graphql = await server.graphql('mutation { registerUser(email: "a@b.co", password: "Pass-phrase-1", firstName: "a", lastName: "b", phoneNumber: "1", role: "user") { token } }');
      expect(graphql.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      const me = await server.graphql('{ me { id } }', { token: registered.body.token });
      expect(me.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect((await fetch(`${server.url}/ready`)).status).toBe(503);
      expect(Date.now() - started).toBeLessThan(15_000);

      await proxy.restore();
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
        status = (await server.rest('POST', '/login-user', { body: { email: input.email, password: input.password } })).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe(200);
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    } finally {
      await proxy.restore();
      await server.close();
      await proxy.close();
    }
  }, 60_000);
});

describe('metrics', () => {
  it('exposes Prometheus metrics: requests by surface, operation and status, latency, logins, bcrypt time, pool', async () => {
    const server = await startTestServer();
    try {
      const input = registration();
      await server.rest('POST', '/register-user', { body: input });
      await server.rest('POST', '/login-user', { body: { email: input.email, password: input.password } });
      await server.rest('POST', '/login-user', { body: { email: input.email, password: 'Wrong-passphrase-1' } });
      // Refused both times; the second time before parsing (the auth plugin knows the text by then).
      await server.graphql('query Me { me { id } }');
      await server.graphql('query Me { me { id } }');
      await fetch(`${server.running.restUrl}/user/${'x'.repeat(40)}`);
      // Beside the REST base path, not under it: e.g. /restx/me.
      await fetch(`${server.running.restUrl}x/me`);

      const response = await fetch(`${server.url}/metrics`);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toMatch(/janus_requests_total\{surface="rest",operation="Mutation.loginUser",status="200"\} 1/);
      expect(text).toMatch(/janus_requests_total\{surface="rest",operation="Mutation.loginUser",status="401"\} 1/);
      expect(text).toMatch(/janus_requests_total\{surface="graphql",operation="refused",status="200"\} 2/);
      expect(text).toMatch(/janus_requests_total\{surface="rest",operation="refused",status="401"\} 1/);
      expect(text).toMatch(/janus_requests_total\{surface="other",operation="unknown",status="404"\} 1/);
      expect(text).not.toMatch(/surface="rest",operation="unknown"/);
      expect(text).toMatch(/janus_logins_total\{outcome="success"\} 1/);
      expect(text).toMatch(/janus_logins_total\{outcome="INVALID_CREDENTIALS"\} 1/);
      expect(text).toMatch(/janus_request_duration_seconds_bucket\{le="\+Inf",surface="rest",operation="Mutation.registerUser"\} 1/);
      expect(text).toMatch(/janus_bcrypt_duration_seconds_count [1-9]/);
      expect(text).toMatch(/janus_db_pool_connections\{state="in_use"\} \d+/);
    } finally {
      await server.close();
    }
  });
});
