import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRsaKey, loadSigningKey, type SigningKey } from '../../src/auth/keys.ts';
import { authCalls } from '../support/auth-calls.ts';
import type { AuthPayloadFields, UserFields } from '../support/operations.ts';
import { registration, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES } from '../support/surfaces.ts';

let server: TestServer;
let realKey: SigningKey;
/** The RS256 key the ring holds beside the EdDSA signing key. */
let rsaKey: SigningKey;
// An RSA key Janus never held, made once: RSA keys take a while to make.
const strangerRsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
let account: AuthPayloadFields;
let credentials: { email: string; password: string };

beforeAll(async () => {
  server = await startTestServer();
  // The generated key lives in the data folder: the test reads it to forge near-valid tokens.
  realKey = await loadSigningKey({ alg: 'EdDSA', privateKey: undefined, dataDir: server.database.dataDir });
  rsaKey = await loadRsaKey({ privateKey: undefined, dataDir: server.database.dataDir });
  const input = registration();
  credentials = { email: input.email, password: input.password };
  account = (await server.rest<AuthPayloadFields>('POST', '/register-user', { body: input })).body;
});
afterAll(() => server?.close());

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claimsOf = () => decodeJwt(account.token);

function sign(payload: JWTPayload, options: { key?: Parameters<SignJWT['sign']>[0]; alg?: string; kid?: string; typ?: string } = {}) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'EdDSA', kid: options.kid ?? realKey.kid, typ: options.typ ?? 'at+jwt' })
    .sign(options.key ?? realKey.signingKey);
}

const expired = () => sign({ ...claimsOf(), iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 });

/** Tokens Janus never issued. */
const forgeries: Record<string, () => Promise<string> | string> = {
  'alg none': () => `${b64({ alg: 'none', typ: 'at+jwt', kid: realKey.kid })}.${b64(claimsOf())}.`,
  'HS256 signed with the public key (algorithm confusion)': () =>
    sign(claimsOf(), {
      alg: 'HS256',
      key: new TextEncoder().encode(realKey.verificationKey.export({ format: 'pem', type: 'spki' }) as string),
    }),
  'a tampered payload': () => {
    const [header, , signature] = account.token.split('.');
    return `${header}.${b64({ ...claimsOf(), role: 'admin', perms: ['users:read'] })}.${signature}`;
  },
  'a tampered signature': () => {
    const [header, payload, signature] = account.token.split('.') as [string, string, string];
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    return `${header}.${payload}.${flipped}`;
  },
  'an unknown kid': () => sign(claimsOf(), { kid: 'unknown-key-id' }),
  'another key presenting the real kid': () => sign(claimsOf(), { key: generateKeyPairSync('ed25519').privateKey }),
  'an RSA key outside the ring, under a kid of its own': () => sign(claimsOf(), { alg: 'RS256', kid: 'stranger', key: strangerRsaKey }),
  "an RSA key outside the ring presenting the ring's RSA kid": () => sign(claimsOf(), { alg: 'RS256', kid: rsaKey.kid, key: strangerRsaKey }),
  "the EdDSA key signing under the RSA key's kid": () => sign(claimsOf(), { kid: rsaKey.kid }),
  'HS256 signed with the RSA public key (algorithm confusion)': () =>
    sign(claimsOf(), {
      alg: 'HS256',
      kid: rsaKey.kid,
      key: new TextEncoder().encode(rsaKey.verificationKey.export({ format: 'pem', type: 'spki' }) as string),
    }),
  'another issuer': () => sign({ ...claimsOf(), iss: 'evil' }),
  'another audience': () => sign({ ...claimsOf(), aud: 'other-service' }),
  'a token that is not an access token (typ JWT)': () => sign(claimsOf(), { typ: 'JWT' }),
};

describe.each(SURFACES)('access token verification on %s', (surface) => {
  it('accepts a token forged with the real key and valid claims (the forging itself is sound)', async () => {
    const token = await sign({ ...claimsOf(), jti: crypto.randomUUID() });
    expect((await perform(server, surface, authCalls.me(), token)).data?.id).toBe(account.user.id);
  });

  it("accepts an access token signed by the ring's RS256 key beside the EdDSA signing key", async () => {
    const token = await sign({ ...claimsOf(), jti: crypto.randomUUID() }, { alg: 'RS256', kid: rsaKey.kid, key: rsaKey.signingKey });
    expect((await perform(server, surface, authCalls.me(), token)).data?.id).toBe(account.user.id);
  });

  it.each(Object.entries({ ...forgeries, 'an expired token': expired }))('rejects %s with UNAUTHENTICATED', async (_name, forge) => {
    const outcome = await perform(server, surface, authCalls.me(), await forge());
    expect(outcome.code).toBe('UNAUTHENTICATED');
    expect(outcome.status).toBe(surface === 'rest' ? 401 : 200);
  });

  it.each(Object.entries(forgeries))('refuses %s on a public operation too (loginUser)', async (_name, forge) => {
    const outcome = await perform(server, surface, authCalls.login(credentials.email, credentials.password), await forge());
    expect(outcome.code).toBe('UNAUTHENTICATED');
    expect(outcome.status).toBe(surface === 'rest' ? 401 : 200);
  });

  it('serves public operations to an expired token it issued, as a client refreshing with its old token attached sends it', async () => {
    const token = await expired();
    const login = await perform(server, surface, authCalls.login(credentials.email, credentials.password), token);
    expect(login.data?.user.id).toBe(account.user.id);
    const refreshed = await perform(server, surface, authCalls.refresh(login.data!.refreshToken), token);
    expect(refreshed.data?.user.id).toBe(account.user.id);
  });

  it('rejects the token of a deleted user', async () => {
    const doomed = (await server.rest<AuthPayloadFields>('POST', '/register-user', { body: registration() })).body;
    await server.running.database.orm.em.getConnection().execute('delete from users where id = ?', [doomed.user.id]);
    const outcome = await perform(server, surface, authCalls.me(), doomed.token);
    expect(outcome.code).toBe('UNAUTHENTICATED');
  });
});

it('issues EdDSA tokens with the claims and header of the contract', () => {
  expect(decodeProtectedHeader(account.token)).toEqual({ alg: 'EdDSA', kid: realKey.kid, typ: 'at+jwt' });
  const claims = decodeJwt(account.token);
  expect(claims).toMatchObject({ iss: 'janus', aud: 'janus', sub: account.user.id, role: 'employee', perms: [], ver: 0 });
  expect(claims.exp! - claims.iat!).toBe(900);
  expect(typeof claims.jti).toBe('string');
  expect(typeof claims.sid).toBe('string');
});

describe('what a refused token is told (RFC 6750 §3)', () => {
  type ErrorsBody = { errors: { message: string; extensions: { code: string; reason?: string } }[] };
  const call = async (surface: 'graphql' | 'rest', token: string | undefined) => {
    const authorization: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    const response =
      surface === 'rest'
        ? await fetch(`${server.running.restUrl}/me`, { headers: authorization })
        : await fetch(server.running.graphqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json', ...authorization },
            body: JSON.stringify({ query: '{ me { id } }' }),
          });
    const [error] = ((await response.json()) as ErrorsBody).errors;
    return { status: response.status, challenge: response.headers.get('www-authenticate'), error };
  };
  const deletedUsersToken = async () => {
    const doomed = (await server.rest<AuthPayloadFields>('POST', '/register-user', { body: registration() })).body;
    await server.running.database.orm.em.getConnection().execute('delete from users where id = ?', [doomed.user.id]);
    return doomed.token;
  };

  it.each(SURFACES)('tells an expired token it expired on %s: error="invalid_token", the description and extensions.reason "expired"', async (surface) => {
    const answer = await call(surface, await expired());
    expect(answer.status).toBe(surface === 'rest' ? 401 : 200);
    expect(answer.challenge).toBe('Bearer realm="janus", error="invalid_token", error_description="The access token expired"');
    expect(answer.error).toEqual({ message: 'The access token expired', extensions: { code: 'UNAUTHENTICATED', reason: 'expired' } });
  });

  it.each(SURFACES)('tells a garbled, a forged and a revoked token it is not valid on %s, with extensions.reason "invalid"', async (surface) => {
    for (const token of ['garbled', await forgeries['a tampered signature']!(), await deletedUsersToken()]) {
      const answer = await call(surface, token);
      expect(answer.status).toBe(surface === 'rest' ? 401 : 200);
      expect(answer.challenge).toBe('Bearer realm="janus", error="invalid_token", error_description="The access token is not valid"');
      expect(answer.error).toEqual({ message: 'The access token is not valid', extensions: { code: 'UNAUTHENTICATED', reason: 'invalid' } });
    }
  });

  it.each(SURFACES)('sends a bare challenge, without an error attribute or reason, when no token came on %s', async (surface) => {
    const answer = await call(surface, undefined);
    // GraphQL answers 200 and sends a challenge only with a token to describe.
    expect(answer.challenge).toBe(surface === 'rest' ? 'Bearer realm="janus"' : null);
    expect(answer.error).toEqual({ message: 'A valid access token is required', extensions: { code: 'UNAUTHENTICATED' } });
  });
});
