import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authCalls } from '../support/auth-calls.ts';
import type { AuthPayloadFields } from '../support/operations.ts';
import { perform } from '../support/surfaces.ts';
import { registration, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function registerOnRest() {
  const input = registration();
  const response = await perform(server, 'rest', authCalls.register(input));
  expect(response.status).toBe(200);
  return input;
}

describe('one token for both surfaces', () => {
  it('accepts a token from GraphQL loginUser on GET /rest/me', async () => {
    const input = await registerOnRest();
    const login = await perform(server, 'graphql', authCalls.login(input.email, input.password));
    const { token, user } = login.data!;

    const me = await perform(server, 'rest', authCalls.me(), token);
    expect(me.status).toBe(200);
    expect(me.data).toMatchObject({ id: user.id, email: input.email, role: 'employee', firstName: 'Ada' });
  });

  it('accepts a token from POST /rest/login-user on GraphQL me', async () => {
    const input = await registerOnRest();
    const login = await perform(server, 'rest', authCalls.login(input.email, input.password));
    expect(login.status).toBe(200);

    const me = await perform(server, 'graphql', authCalls.me(), login.data!.token);
    expect(me.status).toBe(200);
    expect(me.code).toBeUndefined();
    expect(me.data).toMatchObject({ id: login.data!.user.id, email: input.email, role: 'employee' });
  });
});

describe('requests without a valid token', () => {
  const cases = [
    { name: 'no Authorization header', token: undefined },
    { name: 'a garbage bearer token', token: 'garbage' },
    { name: 'a JWT-shaped token with a bad signature', token: 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln' },
  ];

  for (const { name, token } of cases) {
    it(`rejects ${name} on GraphQL me with UNAUTHENTICATED`, async () => {
      const response = await server.graphql('query { me { id } }', { token });
      expect(response.status).toBe(200);
      expect(response.body.data ?? null).toBeNull();
      expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    });

    it(`rejects ${name} on GET /rest/me with 401 and WWW-Authenticate`, async () => {
      const response = await server.rest<{ errors: { extensions: { code: string } }[] }>('GET', '/me', { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.body.errors.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
    });
  }

  it('rejects a refresh token sent as a bearer token', async () => {
    const input = await registerOnRest();
    const login = await server.rest<AuthPayloadFields>('POST', '/login-user', {
      body: { email: input.email, password: input.password },
    });
    const response = await server.rest('GET', '/me', { token: login.body.refreshToken });
    expect(response.status).toBe(401);
  });

  it('refuses a token it never issued on a @public field too, on both surfaces', async () => {
    const input = await registerOnRest();
    const rest = await server.rest<{ errors: { extensions: { code: string } }[] }>('POST', '/login-user', {
      body: { email: input.email, password: input.password },
      token: 'garbage',
    });
    expect(rest.status).toBe(401);
    expect(rest.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(rest.body.errors.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
    const graphql = await perform(server, 'graphql', authCalls.login(input.email, input.password), 'garbage');
    expect(graphql.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a token it never issued before reading the body: even one that is not JSON', async () => {
    for (const path of ['/graphql', '/rest/login-user']) {
      const response = await fetch(`${server.running.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer garbage' },
        body: '{ not json',
      });
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
      expect(response.status).toBe(path === '/graphql' ? 200 : 401);
    }
  });

  it('rejects the whole operation when one of its root fields needs a token', async () => {
    const mixed = await server.graphql('query { __typename ...Protected } fragment Protected on Query { me { id } }');
    expect(mixed.body.data ?? null).toBeNull();
    expect(mixed.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});
