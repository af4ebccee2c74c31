import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCalls } from '../support/admin-calls.ts';
import { authCalls } from '../support/auth-calls.ts';
import { adminOperations, authOperations, type AuthPayloadFields } from '../support/operations.ts';
import { accountWithRole, registration, startTestServer, uniqueEmail, type TestServer } from '../support/server.ts';
import { perform, SURFACES, type AnyCall, type Surface } from '../support/surfaces.ts';

let server: TestServer;
let account: ReturnType<typeof registration> & { session: AuthPayloadFields };
let plainToken: string;

beforeAll(async () => {
  server = await startTestServer();
  const input = registration();
  const registered = await server.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
  account = { ...input, session: registered.body };
  plainToken = (await accountWithRole(server, 'user')).token;
});
afterAll(() => server?.close());

/** One row per client-caused code of the DESIGN table that both surfaces share. */
const table: { code: string; status: number; make: () => { call: AnyCall; token?: string } }[] = [
  { code: 'BAD_USER_INPUT', status: 400, make: () => ({ call: authCalls.register(registration({ email: 'nope' })) }) },
  { code: 'UNAUTHENTICATED', status: 401, make: () => ({ call: authCalls.me(), token: 'x.y.z' }) },
  { code: 'INVALID_CREDENTIALS', status: 401, make: () => ({ call: authCalls.login(account.email, 'wrong password') }) },
  { code: 'INVALID_REFRESH_TOKEN', status: 401, make: () => ({ call: authCalls.refresh('nope') }) },
  { code: 'FORBIDDEN', status: 403, make: () => ({ call: adminCalls.roles(), token: plainToken }) },
  { code: 'ROLE_NOT_ALLOWED', status: 403, make: () => ({ call: authCalls.register(registration({ role: 'admin' })) }) },
  { code: 'EMAIL_TAKEN', status: 409, make: () => ({ call: authCalls.register(registration({ email: account.email })) }) },
];

describe.each(SURFACES)('the error table on %s', (surface: Surface) => {
  it.each(table.map((row) => [row.code, row] as const))('answers %s with its code and status', async (_code, row) => {
    const { call: operation, token } = row.make();
    const outcome = await perform(server, surface, operation, token);
    expect(outcome.code).toBe(row.code);
    expect(outcome.status).toBe(surface === 'rest' ? row.status : 200);
  });
});

describe('unexpected errors', () => {
  it.each(SURFACES)('are masked as INTERNAL_SERVER_ERROR with the request id on %s, details only in the log', async (surface) => {
    const accounts = server.running.services.accounts;
    const original = accounts.getUser;
    accounts.getUser = () => Promise.reject(new Error('connection to 10.0.0.7 failed: password hunter2'));
    try {
      const admin = await accountWithRole(server, 'admin');
      const response =
        surface === 'rest'
          ? await fetch(`${server.running.restUrl}/user/${admin.id}`, { headers: { authorization: `Bearer ${admin.token}`, 'x-request-id': 'trace-42' } })
          : await fetch(server.running.graphqlUrl, {
              method: 'POST',
              headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json', 'x-request-id': 'trace-42' },
              body: JSON.stringify({ query: adminOperations, operationName: 'User', variables: { id: admin.id } }),
            });
      const text = await response.text();
      expect(response.status).toBe(surface === 'rest' ? 500 : 200);
      expect(response.headers.get('x-request-id')).toBe('trace-42');
      expect(JSON.parse(text).errors[0]).toEqual({
        message: 'Unexpected error (request id trace-42)',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
        ...(surface === 'graphql' ? { locations: expect.any(Array), path: ['user'] } : {}),
      });
      expect(text).not.toMatch(/hunter2|10\.0\.0\.7|\.ts:\d+/);
    } finally {
      accounts.getUser = original;
    }
  });
});

/** A body sent without Content-Length, as a stream of chunks. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let offset = 0; offset < bytes.length; offset += 16_384) controller.enqueue(bytes.slice(offset, offset + 16_384));
      controller.close();
    },
  });
}

describe('REST edge cases', () => {
  const post = (path: string, init: RequestInit) => fetch(`${server.running.restUrl}${path}`, { method: 'POST', ...init });
  const json = { 'content-type': 'application/json' };

  it.each([
    ['malformed JSON', () => post('/login-user', { headers: json, body: '{"email":' }), 400, 'BAD_USER_INPUT'],
    ['a body that is not JSON', () => post('/login-user', { headers: { 'content-type': 'text/plain' }, body: 'email=a' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a JSON array body', () => post('/login-user', { headers: json, body: '[]' }), 400, 'BAD_USER_INPUT'],
    ['a missing field', () => post('/login-user', { headers: json, body: JSON.stringify({ email: 'a@b.co' }) }), 400, 'BAD_USER_INPUT'],
    ['an extra field', () => post('/login-user', { headers: json, body: JSON.stringify({ email: 'a@b.co', password: 'x', admin: true }) }), 400, 'BAD_USER_INPUT'],
    ['a wrong type', () => post('/login-user', { headers: json, body: JSON.stringify({ email: ['a'], password: { x: 1 } }) }), 400, 'BAD_USER_INPUT'],
    ['a password in the query string', () => post(`/login-user?password=hunter22`, { headers: json, body: JSON.stringify({ email: 'a@b.co' }) }), 400, 'BAD_USER_INPUT'],
    ['a refresh token in the query string', () => post(`/refresh-token?refreshToken=abc`, {}), 400, 'BAD_USER_INPUT'],
    ['an unknown route', () => fetch(`${server.running.restUrl}/no-such-route`), 404, 'NOT_FOUND'],
    ['an unknown path outside the API', () => fetch(`${server.url}/wp-admin`), 404, 'NOT_FOUND'],
    ['a wrong method', () => fetch(`${server.running.restUrl}/login-user`), 405, 'METHOD_NOT_ALLOWED'],
    ['a body over 100 kB', () => post('/login-user', { headers: json, body: JSON.stringify({ email: 'x'.repeat(150_000), password: 'x' }) }), 413, 'PAYLOAD_TOO_LARGE'],
    ['a chunked GraphQL body over 100 kB', () => fetch(server.running.graphqlUrl, { method: 'POST', headers: json, body: chunked(`{"query":"{ __typename } #${'x'.repeat(150_000)}"}`), duplex: 'half' } as RequestInit), 413, 'PAYLOAD_TOO_LARGE'],
    ['a chunked REST body over 100 kB', () => post('/login-user', { headers: json, body: chunked(JSON.stringify({ email: 'x'.repeat(150_000), password: 'x' })), duplex: 'half' } as RequestInit), 413, 'PAYLOAD_TOO_LARGE'],
    ['a GraphQL body over 100 kB', () => fetch(server.running.graphqlUrl, { method: 'POST', headers: json, body: JSON.stringify({ query: `{ __typename } #${'x'.repeat(150_000)}` }) }), 413, 'PAYLOAD_TOO_LARGE'],
  ] as const)('answers %s with %i and a JSON error body', async (_name, send, status, code) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe(code);
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('names the allowed method on 405', async () => {
    expect((await fetch(`${server.running.restUrl}/login-user`)).headers.get('allow')).toBe('POST');
  });

  it('still accepts a bodyless POST for a mutation without arguments', async () => {
    const response = await post('/logout-all', { headers: { authorization: `Bearer ${plainToken}` } });
    expect(response.status).toBe(200);
  });
});

describe('GraphQL hardening', () => {
  /** A query `levels` fields deep: __type, fields, type, ofType…, name (armor's depth limit only exempts __schema). */
  const queryOfDepth = (levels: number) =>
    `{ __type(name: "User") { fields { type { ${'ofType { '.repeat(levels - 4)}name${' }'.repeat(levels - 4)} } } } }`;
  const limitCodes = ['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED'];

  it.each([
    ['a query 11 fields deep', queryOfDepth(11)],
    ['introspection nesting lists 4 deep', '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }'],
    ['introspection 15 fields deep', `{ __schema { types { fields { type { ${'ofType { '.repeat(10)}name${' }'.repeat(10)} } } } } }`],
    ['introspection 11 fields deep', '{ __schema { queryType { fields { type { ofType { fields { type { ofType { fields { type { name } } } } } } } } } } }'],
    ['more than 10 aliases', `{ ${Array.from({ length: 11 }, (_, i) => `a${i}: me { id }`).join(' ')} }`],
    ['more than 1000 tokens', `{ me { ${Array.from({ length: 1000 }, () => 'id').join(' ')} } }`],
  ])('rejects %s as a bad document', async (_name, query) => {
    const response = await server.graphql(query);
    expect(response.body.data ?? null).toBeNull();
    expect(limitCodes).toContain(response.body.errors?.[0]?.extensions?.code);
  });

  it('refuses introspection 15 fields deep with GRAPHQL_VALIDATION_FAILED, like any too-deep document', async () => {
    const response = await server.graphql(`{ __schema { types { fields { type { ${'ofType { '.repeat(10)}name${' }'.repeat(10)} } } } } }`);
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('accepts a query exactly 10 fields deep', async () => {
    const response = await server.graphql(queryOfDepth(10));
    expect(response.body.errors).toBeUndefined();
  });

  it.each([
    ['default', {}],
    ['every option codegen may ask for', { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true }],
  ])("accepts GraphiQL's and codegen's standard introspection query (%s: 15 deep plainly, ofType chains 9 long, lists 3 deep)", async (_name, options) => {
    const response = await server.graphql(getIntrospectionQuery(options));
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toHaveProperty('__schema.types');
  });

  it('rejects a parse error with GRAPHQL_PARSE_FAILED', async () => {
    expect((await server.graphql('{ me {')).body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses batched operations', async () => {
    const response = await fetch(server.running.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('allows introspection outside production', async () => {
    expect((await server.graphql('{ __schema { queryType { name } } }')).body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('in production', () => {
  let production: TestServer;
  beforeAll(async () => {
    production = await startTestServer({ NODE_ENV: 'production', JANUS_ENCRYPTION_KEY: 'ab'.repeat(32) });
  });
  afterAll(() => production?.close());

  it('turns introspection off', async () => {
    const response = await production.graphql('{ __schema { queryType { name } } }');
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('hides field suggestions', async () => {
    const response = await production.graphql('{ mee { id } }');
    expect(response.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('serves no GraphiQL page', async () => {
    const response = await fetch(production.running.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
  });
});

describe('registration races', () => {
  it('lets exactly one of 20 concurrent registrations of one email succeed', async () => {
    const email = uniqueEmail('race');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.rest<{ errors?: { extensions: { code: string } }[] }>('POST', '/register-user', {
          body: registration({ email: i % 2 ? email.toUpperCase() : email }),
        }),
      ),
    );
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    const others = responses.filter((response) => response.status !== 200);
    expect(others.map((response) => [response.status, response.body.errors?.[0]?.extensions.code])).toEqual(
      Array(19).fill([409, 'EMAIL_TAKEN']),
    );
  });
});

it('documents the operations it tests', () => {
  expect(authOperations).toContain('mutation LoginUser');
});
