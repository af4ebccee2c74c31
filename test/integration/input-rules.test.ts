import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOperations, authOperations } from '../support/operations.ts';
import { accountWithRole, registration, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

type ErrorsBody = { errors?: { message: string; extensions?: { code?: string } }[] };

const registerOnGraphQL = (variables: Record<string, unknown>) =>
  server.graphql(authOperations, { operationName: 'RegisterUser', variables });
const registerOnRest = (body: Record<string, unknown>) => server.rest<ErrorsBody>('POST', '/register-user', { body });

async function userCount(): Promise<number> {
  const rows = await server.running.database.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from users');
  return Number(rows[0]?.n);
}

async function expectRefusedOnBoth(input: Record<string, unknown>, message: RegExp): Promise<void> {
  const graphql = await registerOnGraphQL(input);
  expect(graphql.body.data ?? null).toBeNull();
  expect(graphql.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(graphql.body.errors?.[0]?.message).toMatch(message);
  const rest = await registerOnRest(input);
  expect(rest.status).toBe(400);
  expect(rest.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(rest.body.errors?.[0]?.message).toMatch(message);
}

describe('text arguments', () => {
  it('refuses a NUL in firstName with BAD_USER_INPUT on GraphQL and 400 on REST, writing nothing', async () => {
    const before = await userCount();
    await expectRefusedOnBoth(registration({ firstName: 'Ada\u0000Evil' }), /^firstName must not contain .*U\+0000/);
    expect(await userCount()).toBe(before);
  });

  it('refuses a control character inside a list argument, naming its position', async () => {
    const admin = await accountWithRole(server, 'admin');
    const response = await server.rest<ErrorsBody>('POST', '/create-role', {
      token: admin.token,
      body: { name: 'ops', permissions: ['users:read', 'users:\u0085write'] },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/^permissions\[1\] must not contain/) });
  });

  it('refuses a password with a newline on login too, before any account is looked up', async () => {
    const response = await server.rest<ErrorsBody>('POST', '/login-user', { body: { email: 'nobody@example.com', password: 'pw\npw' } });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  /** Text with at least one character of the alphabets the rule refuses, among ordinary ones. */
  const unsafeCharacter = fc.oneof(
    fc.integer({ min: 0x00, max: 0x1f }),
    fc.integer({ min: 0x7f, max: 0x9f }),
    fc.integer({ min: 0xd800, max: 0xdfff }),
    fc.constantFrom(0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069),
  ).map((code) => String.fromCharCode(code));
  const unsafeText = fc
    .tuple(fc.string({ maxLength: 10 }), unsafeCharacter, fc.string({ maxLength: 10 }))
    .map(([before, unsafe, after]) => `${before}${unsafe}${after}`);
  const textField = fc.constantFrom('email', 'password', 'firstName', 'lastName', 'phoneNumber', 'role');

  it('refuses an unsafe character (C0, C1, surrogate, separator, bidi override) in any registration field on both surfaces', async () => {
    const before = await userCount();
    await fc.assert(
      fc.asyncProperty(textField, unsafeText, async (field, value) => {
        await expectRefusedOnBoth(registration({ [field]: value }), new RegExp(`^${field} must not contain`));
      }),
      { numRuns: 60 },
    );
    expect(await userCount()).toBe(before);
  });
});

describe('argument sizes', () => {
  it('refuses text over 4096 characters and a list over 100 items, on both surfaces', async () => {
    await expectRefusedOnBoth(registration({ lastName: 'x'.repeat(4097) }), /^lastName must not contain more than 4096 characters$/);
    const admin = await accountWithRole(server, 'admin');
    const permissions = Array.from({ length: 101 }, (_, index) => `r${index}:read`);
    const rest = await server.rest<ErrorsBody>('POST', '/create-role', { token: admin.token, body: { name: 'many', permissions } });
    expect(rest.status).toBe(400);
    expect(rest.body.errors?.[0]?.message).toBe('permissions may hold at most 100 items');
    const graphql = await server.graphql(adminOperations, { operationName: 'CreateRole', token: admin.token, variables: { name: 'many', permissions } });
    expect(graphql.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: 'permissions may hold at most 100 items' });
  });
});

describe('emails', () => {
  it('refuses markup as an email on both surfaces', async () => {
    await expectRefusedOnBoth(registration({ email: '<script>alert(1)</script>@example.com' }), /not a valid address/);
  });

  it('refuses a Unicode domain and accepts its punycode form', async () => {
    await expectRefusedOnBoth(registration({ email: 'ada@bücher.example' }), /not a valid address/);
    const response = await registerOnRest(registration({ email: `ada-${Date.now()}@xn--bcher-kva.example` }));
    expect(response.status).toBe(200);
  });
});

describe('REST value types', () => {
  it('refuses a JSON number for a String! argument with BAD_USER_INPUT and 400, as GraphQL does', async () => {
    const rest = await registerOnRest({ ...registration(), phoneNumber: 5550100 });
    expect(rest.status).toBe(400);
    expect(rest.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/^phoneNumber: String cannot represent/) });
    const graphql = await registerOnGraphQL({ ...registration(), phoneNumber: 5550100 });
    expect(graphql.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['a string for a Boolean', { name: 'typed', permissions: ['a:b'], selfAssignable: 'true' }, /^selfAssignable: Boolean cannot represent/],
    ['an object for a string list item', { name: 'typed', permissions: [{ a: 1 }] }, /^permissions\[0\]: String cannot represent/],
    ['a number for a String! (name)', { name: 7, permissions: ['a:b'] }, /^name: String cannot represent/],
  ])('refuses %s', async (_name, body, message) => {
    const admin = await accountWithRole(server, 'admin');
    const response = await server.rest<ErrorsBody>('POST', '/create-role', { token: admin.token, body });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(message) });
  });
});

describe('a missing argument', () => {
  it('names a missing REST body field as a body parameter, with or without a body; GraphQL names its variable', async () => {
    for (const rawBody of ['{"email":"a@b.co"}', undefined]) {
      const response = await fetch(`${server.running.restUrl}/login-user`, {
        method: 'POST',
        headers: rawBody === undefined ? {} : { 'content-type': 'application/json' },
        body: rawBody,
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as ErrorsBody;
      expect(body.errors?.[0]).toEqual({ message: rawBody ? 'Missing body parameter "password"' : 'Missing body parameter "email"', extensions: { code: 'BAD_USER_INPUT' } });
    }
    // GraphQL keeps its own words for the same mistake.
    const graphql = await server.graphql('mutation ($e: String!, $p: String!) { loginUser(email: $e, password: $p) { token } }', { variables: { e: 'a@b.co' } });
    expect(graphql.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(graphql.body.errors?.[0]?.message).toMatch(/"\$p" .*not provided/);
  });
});
