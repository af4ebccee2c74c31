import { GraphQLError } from 'graphql';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { useSofa } from '@graphql-yoga/plugin-sofa';
import { describe, expect, it } from 'vitest';
import { useJanusAuth } from '../../src/auth/plugin.ts';
import type { AccessTokenCheck, VerifiedAccessToken } from '../../src/auth/jwt.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { createEarlyAnswers } from '../../src/graphql/early-answers.ts';
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
const claimsOf = (sub: string) => ({ sub }) as unknown as VerifiedAccessToken;

/**
 * The fake token check: `good` and `revoked` are tokens this server issued (valid signature and
 * claims; `revoked` has no caller any more), `stale` one it issued that expired; anything else
 * it never issued.
 */
function checkOf(token: string): AccessTokenCheck {
  if (token === 'good' || token === 'revoked') return { status: 'valid', claims: claimsOf(token) };
  return token === 'stale' ? { status: 'expired' } : { status: 'invalid' };
}

/** A Yoga with the auth plugin, a fake token check, and counts of what each request went through. */
function server(options: { failing?: boolean; early?: boolean; rest?: boolean } = {}) {
  const lookup = { failing: options.failing ?? false };
  const counts = { checks: 0, lookups: 0, contextBuilt: 0 };
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
      ...(options.rest ? [useSofa({ basePath: '/rest' })] : []),
      useJanusAuth({
        checkToken: async (token) => {
          counts.checks++;
          return checkOf(token);
        },
        principalOf: async (claims) => {
          counts.lookups++;
          if (lookup.failing) throw new Error('database unavailable');
          return claims.sub === 'good' ? caller : null;
        },
        toError: (error) => new GraphQLError(error.message, { extensions: { code: (error as DomainError).code } }),
        ...(options.early === false
          ? {}
          : {
              answerEarly: createEarlyAnswers({
                graphqlPath: '/graphql',
                isRestOperation: (pathname) => pathname.startsWith('/rest/'),
                respondRest: () => new Response('refused', { status: 401 }),
              }),
            }),
      }),
    ],
  });
  const send = async (query: string, token?: string, headers: Record<string, string> = {}, body = JSON.stringify({ query })) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body,
    });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  };
  const rest = async (path: string, token: string) => {
    const response = await yoga.fetch(`http://localhost/rest${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: await response.text() };
  };
  return { send, rest, counts, lookup };
}

const codeOf = (answer: { body: string }): unknown => JSON.parse(answer.body).errors?.[0]?.extensions?.code;

describe('useJanusAuth', () => {
  it('refuses a token it never issued on every operation, public ones included, before reading the body', async () => {
    const { send, counts } = server();
    expect(codeOf(await send('{ hello }', 'garbage'))).toBe('UNAUTHENTICATED');
    // A body that is not even JSON: the answer came before Yoga tried to read it.
    expect(codeOf(await send('', 'garbage', {}, '{ not json'))).toBe('UNAUTHENTICATED');
    expect(counts).toEqual({ checks: 2, lookups: 0, contextBuilt: 0 });
  });

  it.each([
    undefined,
    'application/json',
    'application/graphql-response+json',
    'application/graphql-response+json, application/json',
    'text/event-stream',
  ])('answers a token it never issued early exactly as the pipeline does (Accept: %s)', async (accept) => {
    const headers: Record<string, string> = accept ? { accept } : {};
    const early = await server().send('{ hello }', 'garbage', headers);
    const late = await server({ early: false }).send('{ hello }', 'garbage', headers);
    expect(early).toEqual(late);
    expect(early.body).toContain('UNAUTHENTICATED');
    expect(early.body).not.toContain('"hello"');
  });

  it('refuses a token it never issued on REST too when nothing answered early: at execution', async () => {
    const { rest } = server({ early: false, rest: true });
    expect(JSON.parse((await rest('/hello', 'stale')).body)).toEqual('hello');
    const refused = await rest('/hello', 'garbage');
    expect(refused.body).toContain('UNAUTHENTICATED');
    expect(refused.body).not.toContain('"hello"');
  });

  it('still serves public fields to a token it issued that has expired or been revoked, and refuses it the rest', async () => {
    const { send } = server();
    for (const token of ['stale', 'revoked']) {
      expect(JSON.parse((await send('{ hello }', token)).body)).toEqual({ data: { hello: 'hello' } });
      expect(codeOf(await send('{ me }', token))).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a protected operation it has seen before without building a context, with the same answer', async () => {
    const { send, counts } = server();
    const first = await send('{ me }', 'stale');
    expect(codeOf(first)).toBe('UNAUTHENTICATED');
    expect(counts.contextBuilt).toBe(1);

    const again = await send('{ me }', 'stale');
    expect(again).toEqual(first);
    expect(counts.contextBuilt).toBe(1);
    expect(await send('{ me }')).toEqual(first);
  });

  it('serves an operation it has seen before to a valid caller, and public fields to anyone', async () => {
    const { send } = server();
    for (let i = 0; i < 2; i++) {
      expect(JSON.parse((await send('{ me }', 'good')).body)).toEqual({ data: { me: 'me' } });
      expect(JSON.parse((await send('{ hello }')).body)).toEqual({ data: { hello: 'hello' } });
    }
  });

  it('checks the token and looks the caller up once per request, whether the check ran early or not', async () => {
    const { send, counts } = server();
    await send('{ me }', 'good');
    await send('{ me }', 'good');
    await send('{ me }', 'stale');
    expect(counts.checks).toBe(3);
    expect(counts.lookups).toBe(2);
  });

  it('never answers early for a text that did not validate: every time the ordinary way', async () => {
    const { send, counts } = server();
    for (let i = 0; i < 2; i++) {
      const answer = await send('{ me nope }', 'good');
      expect(JSON.parse(answer.body).errors[0].message).toContain('Cannot query field "nope"');
    }
    expect(counts.contextBuilt).toBe(0);
    expect(counts.lookups).toBe(0);
  });

  it('answers a failed caller lookup (database down) for a known operation exactly as the ordinary path does', async () => {
    const { send, lookup } = server();
    const { send: sendFresh } = server({ failing: true });
    await send('{ me }', 'good');
    lookup.failing = true;
    const known = await send('{ me }', 'good');
    expect(JSON.parse(known.body).errors[0].message).toBe('Unexpected error.');
    expect(known).toEqual(await sendFresh('{ me }', 'good'));
  });
});
