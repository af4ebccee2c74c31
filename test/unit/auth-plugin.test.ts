import { GraphQLError } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { useSofa } from '@graphql-yoga/plugin-sofa';
import { describe, expect, it } from 'vitest';
import { useJanusAuth } from '../../src/auth/plugin.ts';
import type { VerifiedAccessToken } from '../../src/auth/jwt.ts';
import type { Principal } from '../../src/auth/principal.ts';
import type { AppContext, Context, EdgeContext } from '../../src/graphql/context.ts';
import { createOperationFacts } from '../../src/graphql/operation-facts.ts';
import type { DomainError } from '../../src/shared/errors.ts';

const TYPE_DEFS = /* GraphQL */ `
  directive @public on FIELD_DEFINITION
  directive @authenticated on FIELD_DEFINITION
  directive @requiresPermission(permission: String!) on FIELD_DEFINITION
  directive @rateLimit(identityArgs: [String!]) on FIELD_DEFINITION
  type Query {
    me: String @authenticated
    hello: String @public
    secrets: String @requiresPermission(permission: "secrets:read")
  }
`;

const claimsOf = (sub: string) => ({ sub }) as unknown as VerifiedAccessToken;
const callerWith = (...permissions: string[]) =>
  ({ user: { id: 'u1' }, permissions: new Set(permissions), claims: {} }) as unknown as Principal;

/**
 * What the edge hands on for a token (src/http/edge.ts): `good`, `admin` and `revoked` are valid
 * tokens (`revoked` has no caller any more), `stale` is expired, no header means no credential.
 */
function credentialOf(authorization: string | null): EdgeContext['credential'] {
  const token = authorization?.replace(/^Bearer /, '');
  if (!token) return undefined;
  return token === 'stale' ? { status: 'expired' } : { status: 'valid', claims: claimsOf(token) };
}

/** A Yoga with the auth plugin and the edge's credential, counting caller lookups. */
function server(options: { failing?: boolean } = {}) {
  const counts = { lookups: 0 };
  const schema = createSchema<Context>({
    typeDefs: TYPE_DEFS,
    resolvers: { Query: { me: () => 'me', hello: () => 'hello', secrets: () => 'secrets' } },
  });
  const yoga = createYoga<object, AppContext>({
    schema,
    logging: false,
    // Only what the plugin reads: the services are not used here.
    context: ({ request }) => ({ clientIp: '127.0.0.1', credential: credentialOf(request.headers.get('authorization')) }) as AppContext,
    plugins: [
      useSofa({ basePath: '/rest' }),
      useJanusAuth({
        facts: createOperationFacts(schema),
        principalOf: async (claims) => {
          counts.lookups++;
          if (options.failing) throw new Error('database unavailable');
          if (claims.sub === 'good') return callerWith();
          return claims.sub === 'admin' ? callerWith('secrets:read') : null;
        },
        toError: (error) => new GraphQLError(error.message, { extensions: { code: (error as DomainError).code } }),
        reauthMaxAgeSeconds: 600,
      }),
    ],
  });
  const send = async (query: string, token?: string) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return JSON.parse(await response.text()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
  };
  const rest = async (path: string, token?: string) => {
    const response = await yoga.fetch(`http://localhost/rest${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, body: await response.text() };
  };
  return { send, rest, counts };
}

const codeOf = (answer: { errors?: { extensions?: { code?: string } }[] }): unknown => answer.errors?.[0]?.extensions?.code;

describe('useJanusAuth', () => {
  it('serves public fields to anyone, and protected ones to a valid caller', async () => {
    const { send } = server();
    expect(await send('{ hello }')).toEqual({ data: { hello: 'hello' } });
    expect(await send('{ me }', 'good')).toEqual({ data: { me: 'me' } });
  });

  it('still serves public fields to a token it issued that has expired or been revoked, and refuses it the rest', async () => {
    const { send } = server();
    for (const token of ['stale', 'revoked']) {
      expect(await send('{ hello }', token)).toEqual({ data: { hello: 'hello' } });
      expect(codeOf(await send('{ me }', token))).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a whole operation when one selected root field is refused, without running any resolver', async () => {
    const { send } = server();
    const answer = await send('{ hello me }');
    expect(codeOf(answer)).toBe('UNAUTHENTICATED');
    expect(answer.data).toBeUndefined();
  });

  it('answers FORBIDDEN to a caller whose role lacks the permission, and serves one whose role has it', async () => {
    const { send } = server();
    expect(codeOf(await send('{ secrets }', 'good'))).toBe('FORBIDDEN');
    expect(await send('{ secrets }', 'admin')).toEqual({ data: { secrets: 'secrets' } });
  });

  it('applies the same rules to REST routes (SOFA executes through the same pipeline)', async () => {
    const { rest } = server();
    expect((await rest('/me')).body).toContain('UNAUTHENTICATED');
    expect(JSON.parse((await rest('/me', 'good')).body)).toBe('me');
  });

  it('looks the caller up once per request, and only for a valid token', async () => {
    const { send, counts } = server();
    await send('{ me hello }', 'good');
    expect(counts.lookups).toBe(1);
    await send('{ hello }');
    await send('{ me }', 'stale');
    expect(counts.lookups).toBe(1);
  });

  it('answers a failed caller lookup (database down) as an unexpected error, never as a served field', async () => {
    const { send } = server({ failing: true });
    const answer = await send('{ me }', 'good');
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors?.[0]?.message).toBe('Unexpected error.');
  });
});
