import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, expect, it } from 'vitest';
import { authCalls } from '../support/auth-calls.ts';
import type { AuthPayloadFields, UserFields } from '../support/operations.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { registration, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES } from '../support/surfaces.ts';

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

type PublicJwk = { kid: string; kty: string; alg: string; use: string; crv?: string; d?: string };

async function publishedKeys(server: TestServer): Promise<PublicJwk[]> {
  const response = await fetch(`${server.url}/.well-known/jwks.json`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { keys: PublicJwk[] }).keys;
}

/** The token works on both surfaces: GraphQL and REST answer `me` with its user. */
async function expectAcceptedOnBothSurfaces(server: TestServer, token: string, userId: string): Promise<void> {
  for (const surface of SURFACES) expect((await perform(server, surface, authCalls.me(), token)).data?.id).toBe(userId);
}

it('publishes the EdDSA signing key and the RS256 key at /.well-known/jwks.json, each with its kid and alg', async () => {
  await withServer({}, async (server) => {
    const { token } = await register(server);
    const keys = await publishedKeys(server);
    expect(keys).toHaveLength(2);
    expect(keys).toContainEqual(expect.objectContaining({ kid: decodeProtectedHeader(token).kid, kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' }));
    expect(keys).toContainEqual(expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig' }));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(2);
    for (const key of keys) expect(key.d).toBeUndefined();

    const verified = await jwtVerify(token, createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), {
      issuer: 'janus',
      audience: 'janus',
    });
    expect(verified.payload.sub).toBeTruthy();
  });
});

it.each(['ES256', 'RS256'] as const)('signs with %s when JANUS_JWT_ALG says so, and both surfaces accept the tokens', async (alg) => {
  await withServer({ JANUS_JWT_ALG: alg }, async (server) => {
    const { token, user } = await register(server);
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe(alg);
    await expectAcceptedOnBothSurfaces(server, token, user.id);
    const keys = await publishedKeys(server);
    // RS256 signs with the ring's one RSA key: it is published once.
    expect(keys.map((key) => key.alg).sort()).toEqual(alg === 'RS256' ? ['RS256'] : ['ES256', 'RS256']);
    expect(keys.find((key) => key.alg === alg)).toMatchObject({ kid: header.kid, kty: alg === 'RS256' ? 'RSA' : 'EC' });
    const generated = (await readdir(path.join(server.database.dataDir, 'keys'))).filter((file) => file.startsWith('jwt-'));
    expect(generated.sort()).toEqual(alg === 'RS256' ? ['jwt-rs256.key'] : ['jwt-es256.key', 'jwt-rs256.key']);
    await jwtVerify(token, createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), { issuer: 'janus', audience: 'janus', algorithms: [alg] });
  });
});

it('signs with HS256 and a configured secret, and publishes only the RS256 key', async () => {
  await withServer({ JANUS_JWT_ALG: 'HS256', JANUS_JWT_PRIVATE_KEY: 'a-shared-secret-that-is-at-least-32-bytes' }, async (server) => {
    const { token, user } = await register(server);
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    expect((await server.rest<UserFields>('GET', '/me', { token })).body.id).toBe(user.id);
    expect((await publishedKeys(server)).map((key) => key.alg)).toEqual(['RS256']);
  });
});

it('uses the RSA key given in JANUS_JWT_RSA_PRIVATE_KEY, and signs with it under JANUS_JWT_ALG=RS256', async () => {
  const database = await createTestDatabase();
  databases.push(database);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaJwk = { ...(rsa.publicKey.export({ format: 'jwk' }) as object) };
  const env = { JANUS_JWT_RSA_PRIVATE_KEY: pem(rsa.privateKey, 'pkcs8') };
  await withServer(env, async (server) => {
    expect(await publishedKeys(server)).toContainEqual(expect.objectContaining({ ...rsaJwk, alg: 'RS256' }));
  }, database);
  await withServer({ ...env, JANUS_JWT_ALG: 'RS256' }, async (server) => {
    const { token, user } = await register(server);
    await expectAcceptedOnBothSurfaces(server, token, user.id);
    expect(await publishedKeys(server)).toEqual([expect.objectContaining({ ...rsaJwk, kid: decodeProtectedHeader(token).kid })]);
  }, database);
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
      // The new signing key, the old one, and the RS256 key.
      expect(await publishedKeys(server)).toHaveLength(3);
    },
    database,
  );

  await withServer({ JANUS_JWT_PRIVATE_KEY: pem(newKey.privateKey, 'pkcs8') }, async (server) => {
    expect((await server.rest('GET', '/me', { token: oldToken })).status).toBe(401);
  }, database);
});

it('rotates the RSA key, and moves from EdDSA to RS256, keeping earlier tokens valid through JANUS_JWT_VERIFY_KEYS', async () => {
  const database = await createTestDatabase();
  databases.push(database);
  const edKey = generateKeyPairSync('ed25519');
  const oldRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const newRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

  const { token: edToken, user } = await withServer(
    { JANUS_JWT_PRIVATE_KEY: pem(edKey.privateKey, 'pkcs8'), JANUS_JWT_RSA_PRIVATE_KEY: pem(oldRsa.privateKey, 'pkcs8') },
    register,
    database,
  );
  const { token: rsaToken } = await withServer({ JANUS_JWT_ALG: 'RS256', JANUS_JWT_PRIVATE_KEY: pem(oldRsa.privateKey, 'pkcs8') }, register, database);

  const rotated = { JANUS_JWT_ALG: 'RS256', JANUS_JWT_RSA_PRIVATE_KEY: pem(newRsa.privateKey, 'pkcs8') };
  await withServer({ ...rotated, JANUS_JWT_VERIFY_KEYS: pem(edKey.publicKey, 'spki') + pem(oldRsa.publicKey, 'spki') }, async (server) => {
    await expectAcceptedOnBothSurfaces(server, edToken, user.id);
    expect((await server.rest('GET', '/me', { token: rsaToken })).status).toBe(200);
    expect((await publishedKeys(server)).map((key) => key.alg).sort()).toEqual(['EdDSA', 'RS256', 'RS256']);
  }, database);

  await withServer(rotated, async (server) => {
    for (const token of [edToken, rsaToken]) expect((await server.rest('GET', '/me', { token })).status).toBe(401);
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
