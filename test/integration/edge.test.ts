import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger, registration, startTestServer, type TestServer } from '../support/server.ts';

const ALLOWED = 'https://app.example.com';
const log = capturingLogger('info');
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: 'info', JANUS_CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` }, undefined, log.logger);
});
afterAll(() => server?.close());

/** Sends raw bytes and reads the raw answer: for targets `fetch` cannot send. */
function raw(text: string): Promise<string> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
  });
}

describe('GraphQL over HTTP', () => {
  it('meets every audit of graphql-http (MUST, SHOULD and MAY) against the real server', async () => {
    const audits = serverAudits({ url: server.running.graphqlUrl });
    const failed: string[] = [];
    for (const audit of audits) {
      const result = await audit.fn();
      if (result.status !== 'ok') failed.push(`${audit.name}: ${result.reason}`);
    }
    expect(failed).toEqual([]);
    expect(audits.length).toBeGreaterThanOrEqual(61);
  });

  it('answers a mutation over GET with 405 and Allow: POST, keeping the error body and code', async () => {
    const response = await fetch(`${server.running.graphqlUrl}?query=${encodeURIComponent('mutation { logoutAll }')}`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers a document that does not parse with 400 on application/graphql-response+json and 200 on application/json', async () => {
    const send = (accept: string) =>
      fetch(server.running.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query: '{ me ' }) });
    const strict = await send('application/graphql-response+json');
    expect(strict.status).toBe(400);
    expect(((await strict.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect((await send('application/json')).status).toBe(200);
  });
});

describe('media types', () => {
  it.each([
    ['GraphQL', '/graphql', 'query=mutation%7BlogoutAll%7D'],
    ['REST', '/rest/login-user', 'email=a%40b.c&password=x'],
  ])('refuses a form post on %s with 415 UNSUPPORTED_MEDIA_TYPE (a form needs no CORS preflight)', async (_surface, path, body) => {
    const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('request targets Janus cannot parse', () => {
  it.each([
    ['an absolute-form target', 'GET http://x/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
  ])('answers %s with 400 in the JSON error envelope, never a stack', async (_name, text) => {
    const answer = await raw(text);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"BAD_USER_INPUT"');
    expect(answer).toMatch(/x-request-id: /i);
    expect(answer).not.toContain('node_modules');
    expect(answer).not.toContain('TypeError');
  });
});

describe('keep-alive', () => {
  it('keeps the connection open after refusing a token it never issued before reading the body', async () => {
    const body = JSON.stringify({ query: '{ me { id } }' });
    const answer = await raw(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer x.y.z\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
        'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(answer.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
    expect(answer).toContain('UNAUTHENTICATED');
    expect(answer).toContain('{"status":"ok"}');
  });
});

describe('token answers are never cached', () => {
  it('sends Cache-Control: no-store and Pragma: no-cache with login on GraphQL and REST', async () => {
    const account = registration();
    const registered = await server.rest('POST', '/register-user', { body: account });
    expect(registered.headers.get('cache-control')).toBe('no-store');
    expect(registered.headers.get('pragma')).toBe('no-cache');
    const login = await server.graphql('mutation ($e: String!, $p: String!) { loginUser(email: $e, password: $p) { token } }', {
      variables: { e: account.email, p: account.password },
    });
    expect(login.body.errors).toBeUndefined();
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.headers.get('pragma')).toBe('no-cache');
  });
});

describe('CORS by allow-list', () => {
  const preflight = (path: string, origin: string) =>
    fetch(`${server.url}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });

  it.each(['/graphql', '/rest/login-user'])('answers a listed origin\'s preflight on %s, echoing the origin, without credentials', async (path) => {
    const response = await preflight(path, ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it.each(['/graphql', '/rest/login-user'])('gives any other origin no CORS headers on %s', async (path) => {
    const response = await preflight(path, 'https://evil.example.net');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    const actual = await fetch(`${server.url}${path === '/graphql' ? '/graphql?query=%7B__typename%7D' : '/rest/me'}`, { headers: { origin: 'https://evil.example.net' } });
    expect(actual.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends Access-Control-Allow-Origin with the actual answer to a listed origin on both surfaces', async () => {
    for (const path of ['/graphql?query=%7B__typename%7D', '/rest/me']) {
      const response = await fetch(`${server.url}${path}`, { headers: { origin: 'http://localhost:5173' } });
      expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(response.headers.get('vary')).toContain('Origin');
    }
  });
});

describe('the access log', () => {
  it('writes one info line per request with method, path, surface, operation, status, duration, request id and ip; never a secret', async () => {
    const account = registration();
    await server.rest('POST', '/register-user', { body: account });
    const requestId = `access-log-${Date.now()}`;
    const response = await fetch(server.running.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ query: 'mutation ($e: String!, $p: String!) { loginUser(email: $e, password: $p) { token } }', variables: { e: account.email, p: account.password } }),
    });
    const { data } = (await response.json()) as { data: { loginUser: { token: string } } };
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = log.lines().filter((line) => line.msg === 'request' && line.requestId === requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      method: 'POST',
      path: '/graphql',
      surface: 'graphql',
      operation: 'Mutation.loginUser',
      status: 200,
      requestId,
      ip: expect.any(String),
    });
    expect(typeof lines[0]?.durationMs).toBe('number');
    expect(log.text()).not.toContain(account.password);
    expect(log.text()).not.toContain(data.loginUser.token);
  });

  it('logs a client error (a syntax error) without error level or stack, and an unexpected error once', async () => {
    const requestId = `syntax-${Date.now()}`;
    await fetch(server.running.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': requestId }, body: JSON.stringify({ query: '{ me ' }) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = log.lines().filter((line) => line.requestId === requestId);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => (line.level as number) < 50)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('"stack"');
  });

  it('keeps secret argument values out of the log and the answer when they have the wrong type, on both surfaces', async () => {
    const requestId = `secret-${Date.now()}`;
    const response = await fetch(server.running.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ query: 'mutation ($e: String!, $p: String!) { loginUser(email: $e, password: $p) { token } }', variables: { e: 'a@b.co', p: ['SECRET-VALUE-1'] } }),
    });
    const text = await response.text();
    expect(text).toContain('BAD_USER_INPUT');
    expect(text).not.toContain('SECRET-VALUE-1');
    const rest = await fetch(`${server.running.restUrl}/login-user`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.co', password: { value: 'SECRET-VALUE-2' } }),
    });
    expect(rest.status).toBe(400);
    expect(await rest.text()).not.toContain('SECRET-VALUE-2');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log.text()).not.toContain('SECRET-VALUE-1');
    expect(log.text()).not.toContain('SECRET-VALUE-2');
  });
});

describe('slow clients', () => {
  it('drops a request whose body trickles in past JANUS_REQUEST_TIMEOUT', async () => {
    const slow = await startTestServer({ JANUS_REQUEST_TIMEOUT: '1', JANUS_HEADERS_TIMEOUT: '1' });
    try {
      const { port } = new URL(slow.url);
      const started = Date.now();
      const outcome = await new Promise<string>((resolve) => {
        const request = httpRequest({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000' } }, (response) => {
          response.resume();
          resolve(`status ${response.statusCode}`);
        });
        request.on('error', () => resolve('closed'));
        request.write('{"query":');
        // …and never the rest.
      });
      expect(['status 408', 'closed']).toContain(outcome);
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      await slow.close();
    }
  });
});

describe('/metrics', () => {
  it('asks for JANUS_METRICS_TOKEN as a bearer token when one is set', async () => {
    const guarded = await startTestServer({ JANUS_METRICS_TOKEN: 'scrape-secret-0123456789' });
    try {
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const scraped = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer scrape-secret-0123456789' } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('janus_requests_total');
    } finally {
      await guarded.close();
    }
  });
});
