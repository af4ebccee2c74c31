import fc from 'fast-check';
import { parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appSchema } from '../../src/app/composition.ts';
import { restRoutesOf } from '../../src/rest/routes.ts';
import { ERROR_STATUS } from '../../src/shared/errors.ts';
import { adminOperations } from '../support/operations.ts';
import { accountWithRole, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let adminToken: string;

beforeAll(async () => {
  server = await startTestServer();
  adminToken = (await accountWithRole(server, 'admin')).token;
});
afterAll(() => server?.close());

const routes = restRoutesOf(appSchema());
const operations = parse(adminOperations).definitions.filter(
  (definition): definition is OperationDefinitionNode => definition.kind === 'OperationDefinition',
);

/** Characters the text rule refuses: C0 and C1 controls, lone surrogates, separators, bidi marks and overrides. */
const hostileCharacter = fc
  .oneof(
    fc.integer({ min: 0x00, max: 0x1f }),
    fc.integer({ min: 0x7f, max: 0x9f }),
    fc.integer({ min: 0xd800, max: 0xdfff }),
    fc.constantFrom(0x200e, 0x200f, 0x061c, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069),
  )
  .map((code) => String.fromCharCode(code));
/** Ordinary text with those characters mixed in. */
const hostileText = fc
  .array(fc.oneof(hostileCharacter, fc.constantFrom('a', 'Z', '@', '.', ' ', '+', '1', 'é')), { minLength: 1, maxLength: 40 })
  .map((characters) => characters.join(''));

/** Values a careless or hostile client might send where a string, number or list is expected. */
const hostileValue = fc.oneof(
  hostileText,
  fc.array(hostileText, { maxLength: 3 }),
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom('', ' ', 'admin', 'a@b.co', "'; drop table users; --", '\u0000', 'x'.repeat(5000), '00000000-0000-4000-8000-000000000000'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.string(), { maxKeys: 3 }),
);
const token = fc.constantFrom<string | undefined>(undefined, 'garbage', 'a.b.c');

function argumentsFor(names: readonly string[]) {
  return fc.record(Object.fromEntries(names.map((name) => [name, hostileValue])), { requiredKeys: [] });
}

const STACK_OR_PATH = /\n\s+at |\.ts:\d+|node_modules|\/work\//;

interface Observed {
  status: number;
  text: string;
}

function assertClientSafe({ status, text }: Observed): void {
  expect(status).toBeLessThan(500);
  expect(text).not.toMatch(STACK_OR_PATH);
  const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] } | null;
  for (const error of body?.errors ?? []) expect(Object.keys(ERROR_STATUS)).toContain(error.extensions?.code);
}

async function userCount(): Promise<number> {
  const rows = await server.running.database.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from users');
  return Number(rows[0]?.n);
}

it('never answers a generated bad REST request with a 5xx, a stack trace or a half-written user', async () => {
  const before = await userCount();
  let registered = 0;
  const request = fc
    .constantFrom(...routes)
    .chain((route) => fc.tuple(fc.constant(route), argumentsFor([...route.argumentNames, 'unexpected'])));
  await fc.assert(
    fc.asyncProperty(request, fc.option(fc.constantFrom(adminToken), { nil: undefined }), token, fc.context(), async ([chosen, args], admin, bad, ctx) => {
      const path = chosen.path.replace(':id', encodeURIComponent(JSON.stringify(args.id ?? 'x')));
      const query = chosen.method === 'GET' ? `?${new URLSearchParams(Object.entries(args).map(([k, v]) => [k, JSON.stringify(v)]))}` : '';
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const bearer = admin ?? bad;
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      const response = await fetch(`${server.running.restUrl}${path}${query}`, {
        method: chosen.method,
        headers,
        body: chosen.method === 'POST' ? JSON.stringify(args) : undefined,
      });
      const observed = { status: response.status, text: await response.text() };
      ctx.log(`${chosen.method} ${path} -> ${observed.status} ${observed.text.slice(0, 200)}`);
      assertClientSafe(observed);
      if (chosen.key === 'Mutation.registerUser' && observed.status === 200) registered++;
    }),
    { numRuns: 150 },
  );
  expect(await userCount()).toBe(before + registered);
});

it('never answers a generated bad GraphQL request with a 5xx, a stack trace or a half-written user', async () => {
  const before = await userCount();
  let registered = 0;
  const request = fc
    .constantFrom(...operations)
    .chain((operation) =>
      fc.tuple(fc.constant(operation), argumentsFor((operation.variableDefinitions ?? []).map((definition) => definition.variable.name.value))),
    );
  await fc.assert(
    fc.asyncProperty(request, fc.option(fc.constantFrom(adminToken), { nil: undefined }), fc.context(), async ([chosen, variables], admin, ctx) => {
      const response = await fetch(server.running.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${admin}` } : {}) },
        body: JSON.stringify({ query: adminOperations, operationName: chosen.name?.value, variables }),
      });
      const observed = { status: response.status, text: await response.text() };
      ctx.log(`${chosen.name?.value} -> ${observed.text.slice(0, 200)}`);
      assertClientSafe(observed);
      if (chosen.name?.value === 'RegisterUser' && observed.text.includes('"registerUser":{')) registered++;
    }),
    { numRuns: 150 },
  );
  expect(await userCount()).toBe(before + registered);
});

it('never answers a generated GraphQL document with a 5xx or a stack trace', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('{', '{ me }', 'query { __schema { types { name } } }', '#')), async (query) => {
      const response = await fetch(server.running.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      assertClientSafe({ status: response.status, text: await response.text() });
    }),
    { numRuns: 100 },
  );
});
