import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

type ErrorsBody = { errors?: { message: string; extensions?: { code?: string } }[] };

/**
 * Sends `hostile`, and while it is being handled asks `/health`: the event loop must stay free.
 * Resolves with both answers and how long each took.
 */
async function whileHealthAnswers(hostile: () => Promise<Response>): Promise<{ answer: Response; text: string; hostileMs: number; healthMs: number }> {
  const started = performance.now();
  const pending = hostile().then(async (answer) => ({ answer, text: await answer.text(), hostileMs: performance.now() - started }));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const healthStarted = performance.now();
  const health = await fetch(`${server.url}/health`);
  const healthMs = performance.now() - healthStarted;
  expect(health.status).toBe(200);
  return { ...(await pending), healthMs };
}

const postGraphQL = (body: unknown) => () =>
  fetch(server.running.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });

/** n fragments, each spreading the next twice: 2ⁿ spreads in ~12·n bytes. */
function fragmentChain(n: number, leaf: string): string {
  const parts = ['query { ...F0 }'];
  for (let i = 0; i < n; i++) parts.push(`fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  parts.push(`fragment F${n} on Query { ${leaf} }`);
  return parts.join('\n');
}

describe('documents that cost 2ⁿ to walk naively', () => {
  it.each([
    ['__typename', '__typename'],
    ['introspection', '__schema { types { name } }'],
  ])('answers a chain of 30 fragments each spreading the next twice (leaf: %s) within 2 s, while /health answers within 1 s', async (_name, leaf) => {
    const query = fragmentChain(30, leaf);
    expect(query.length).toBeLessThan(2048);
    const { answer, text, hostileMs, healthMs } = await whileHealthAnswers(postGraphQL({ query }));
    expect(answer.status).toBe(200);
    expect(text).not.toContain('INTERNAL_SERVER_ERROR');
    expect(hostileMs).toBeLessThan(2_000);
    expect(healthMs).toBeLessThan(1_000);
  });
});

describe('client text in coercion messages', () => {
  const key = 'a'.repeat(90_000);

  it('answers a GraphQL variable object with a 90 kB key within 2 s with BAD_USER_INPUT, echoing nothing of it, while /health answers within 1 s', async () => {
    const { text, hostileMs, healthMs } = await whileHealthAnswers(
      postGraphQL({
        query: 'mutation ($e: String!, $p: String!) { loginUser(email: $e, password: $p) { token } }',
        variables: { e: 'a@b.co', p: { [key]: 1 } },
      }),
    );
    const body = JSON.parse(text) as ErrorsBody;
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toBe('Variable "$p" got an invalid value; String cannot represent a non string value');
    expect(text).not.toContain('aaaaaaaaaa');
    expect(hostileMs).toBeLessThan(2_000);
    expect(healthMs).toBeLessThan(1_000);
  });
});

describe('/metrics under requests that choose their own operations', () => {
  const ROOT_SELECTIONS = ['me { id }', 'user(id: "x") { id }', 'users { edges { cursor } }', 'roles { name }', 'sessions { id }', 'auditEvents { edges { cursor } }'];

  it('keeps the operation label to a closed set however many field combinations anonymous and refused clients send', async () => {
    const documents: string[] = [];
    for (let subset = 1; subset < 2 ** ROOT_SELECTIONS.length; subset++) {
      documents.push(`{ ${ROOT_SELECTIONS.filter((_selection, index) => subset & (2 ** index)).join(' ')} }`);
    }
    const send = (query: string, headers: Record<string, string> = {}) =>
      fetch(server.running.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) }).then((answer) => answer.text());
    for (const query of documents) {
      await send(query);
      await send(query, { authorization: 'Bearer not.a.token' });
    }
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const operations = new Set([...text.matchAll(/^janus_requests_total\{[^}]*operation="([^"]*)"/gm)].map((match) => match[1]));
    expect(operations.has('refused')).toBe(true);
    expect([...operations].filter((operation) => operation?.includes(','))).toEqual([]);
    expect(operations.size).toBeLessThanOrEqual(4);
    expect(text.length).toBeLessThan(40_000);
  });
});
