import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, expect, it } from 'vitest';
import type { AuthPayloadFields, UserFields } from '../support/operations.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { registration, startTestServer, type TestServer } from '../support/server.ts';

const databases: TestDatabase[] = [];
afterAll(() => Promise.all(databases.map((database) => database.dispose())));

async function withServer<T>(env: Record<string, string>, use: (server: TestServer) => Promise<T>, database?: TestDatabase): Promise<T> {
  const db = database ?? (await createTestDatabase());
  if (!database) databases.push(db);
  const server = await startTestServer(env, db);
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

async function register(server: TestServer): Promise<AuthPayloadFields> {
  const response = await server.rest<AuthPayloadFields>('POST', '/register-user', { body: registration() });
  expect(response.status).toBe(200);
  return response.body;
}

const pem = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ format: 'pem', type }) as string;

it('publishes its public keys at /.well-known/jwks.json so another service can verify tokens offline', async () => {
  await withServer({}, async (server) => {
    const { token } = await register(server);
    const jwks = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    const { keys } = (await jwks.json()) as { keys: { kid: string; kty: string; d?: string }[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kid: decodeProtectedHeader(token).kid, kty: 'OKP' });
    expect(keys[0]!.d).toBeUndefined();

    const verified = await jwtVerify(token, createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), {
      issuer: 'janus',
      audience: 'janus',
    });
    expect(verified.payload.sub).toBeTruthy();
  });
});

it('signs with ES256 when JANUS_JWT_ALG=ES256', async () => {
  await withServer({ JANUS_JWT_ALG: 'ES256' }, async (server) => {
    const { token, user } = await register(server);
    expect(decodeProtectedHeader(token).alg).toBe('ES256');
    expect((await server.rest<UserFields>('GET', '/me', { token })).body.id).toBe(user.id);
    const { keys } = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kty: string; crv: string }[] };
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256' });
  });
});

it('signs with HS256 and a configured secret, and publishes no keys', async () => {
  await withServer({ JANUS_JWT_ALG: 'HS256', JANUS_JWT_PRIVATE_KEY: 'a-shared-secret-that-is-at-least-32-bytes' }, async (server) => {
    const { token, user } = await register(server);
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    expect((await server.rest<UserFields>('GET', '/me', { token })).body.id).toBe(user.id);
    expect((await fetch(`${server.url}/.well-known/jwks.json`)).status).toBe(404);
  });
});

it('rotates keys: the previous key keeps verifying while listed in JANUS_JWT_VERIFY_KEYS, and not after', async () => {
  const database = await createTestDatabase();
  databases.push(database);
  const oldKey = generateKeyPairSync('ed25519');
  const newKey = generateKeyPairSync('ed25519');

  const { token: oldToken, user } = await withServer({ JANUS_JWT_PRIVATE_KEY: pem(oldKey.privateKey, 'pkcs8') }, register, database);

  await withServer(
    { JANUS_JWT_PRIVATE_KEY: pem(newKey.privateKey, 'pkcs8'), JANUS_JWT_VERIFY_KEYS: pem(oldKey.publicKey, 'spki') },
    async (server) => {
      expect((await server.rest<UserFields>('GET', '/me', { token: oldToken })).body.id).toBe(user.id);
      const { token: newToken } = await register(server);
      expect(decodeProtectedHeader(newToken).kid).not.toBe(decodeProtectedHeader(oldToken).kid);
      const { keys } = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
      expect(keys).toHaveLength(2);
    },
    database,
  );

  await withServer({ JANUS_JWT_PRIVATE_KEY: pem(newKey.privateKey, 'pkcs8') }, async (server) => {
    expect((await server.rest('GET', '/me', { token: oldToken })).status).toBe(401);
  }, database);
});

it('expires access and refresh tokens after the configured lifetimes', async () => {
  await withServer({ JANUS_ACCESS_TOKEN_TTL: '1', JANUS_REFRESH_TOKEN_TTL: '2' }, async (server) => {
    const { token, refreshToken } = await register(server);
    const claims = decodeJwt(token);
    expect(claims.exp! - claims.iat!).toBe(1);
    expect((await server.rest('GET', '/me', { token })).status).toBe(200);
    // Past the lifetime plus the 5 s clock tolerance of verification.
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    expect((await server.rest('GET', '/me', { token })).status).toBe(401);
    expect((await server.rest('POST', '/refresh-token', { body: { refreshToken } })).status).toBe(401);
  });
});
