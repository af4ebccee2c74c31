import { GraphQLError } from 'graphql';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useJanusAuth } from '../../src/auth/plugin.ts';
import type { Principal } from '../../src/auth/principal.ts';
import type { DomainError } from '../../src/shared/errors.ts';

const TYPE_DEFS = /* GraphQL */ `
  directive @public on FIELD_DEFINITION
  directive @authenticated on FIELD_DEFINITION
  directive @requiresPermission(permission: String!) on FIELD_DEFINITION
  type Query {
    me: String @authenticated
    hello: String @public
  }
`;

const caller = { user: { id: 'u1' }, permissions: new Set<string>(), claims: {} } as unknown as Principal;

/** A Yoga with the auth plugin, a fake token check, and counts of what each request went through. */
function server(lookup = { failing: false }) {
  const counts = { authenticate: 0, contextBuilt: 0 };
  const countContexts: Plugin = {
    onContextBuilding() {
      counts.contextBuilt++;
    },
  };
  const yoga = createYoga({
    schema: createSchema({ typeDefs: TYPE_DEFS, resolvers: { Query: { me: () => 'me', hello: () => 'hello' } } }),
    logging: false,
    plugins: [
      countContexts,
      useJanusAuth({
        authenticate: async (token) => {
          counts.authenticate++;
          if (lookup.failing) throw new Error('database unavailable');
          return token === 'good' ? caller : null;
        },
        toError: (error) => new GraphQLError(error.message, { extensions: { code: (error as DomainError).code } }),
      }),
    ],
  });
  const send = async (query: string, token?: string) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: await response.text() };
  };
  return { send, counts };
}

describe('useJanusAuth', () => {
  it('refuses a protected operation it has seen before without building a context, with the same answer', async () => {
    const { send, counts } = server();
    const first = await send('{ me }', 'garbage');
    expect(JSON.parse(first.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(counts.contextBuilt).toBe(1);

    const again = await send('{ me }', 'garbage');
    expect(again).toEqual(first);
    expect(counts.contextBuilt).toBe(1);
    expect(await send('{ me }')).toEqual(first);
  });

  it('serves an operation it has seen before to a valid caller, and public fields to anyone', async () => {
    const { send } = server();
    for (let i = 0; i < 2; i++) {
      expect(JSON.parse((await send('{ me }', 'good')).body)).toEqual({ data: { me: 'me' } });
      expect(JSON.parse((await send('{ hello }', 'garbage')).body)).toEqual({ data: { hello: 'hello' } });
    }
  });

  it('reads the token once per request, whether the check ran early or not', async () => {
    const { send, counts } = server();
    await send('{ me }', 'good');
    await send('{ me }', 'good');
    await send('{ me }', 'garbage');
    expect(counts.authenticate).toBe(3);
  });

  it('never answers early for a text that did not validate: every time the ordinary way', async () => {
    const { send, counts } = server();
    for (let i = 0; i < 2; i++) {
      const answer = await send('{ me nope }', 'garbage');
      expect(JSON.parse(answer.body).errors[0].message).toContain('Cannot query field "nope"');
    }
    expect(counts.contextBuilt).toBe(0);
    expect(counts.authenticate).toBe(0);
  });

  it('answers a failed token lookup (database down) for a known operation exactly as the ordinary path does', async () => {
    const lookup = { failing: false };
    const { send } = server(lookup);
    const { send: sendFresh } = server({ failing: true });
    await send('{ me }', 'good');
    lookup.failing = true;
    const known = await send('{ me }', 'good');
    expect(JSON.parse(known.body).errors[0].message).toBe('Unexpected error.');
    expect(known).toEqual(await sendFresh('{ me }', 'good'));
  });
});
