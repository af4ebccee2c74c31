import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { janusGateway, viewerService } from '../support/integrations/hive-gateway.ts';
import { resourceServer } from '../support/integrations/jose-resource-server.ts';
import { registration, startTestServer, type TestServer } from '../support/server.ts';

// The verifiers of docs/integrations.md, each run as that page shows it, against a Janus set up
// as the page says: RS256 for jsonwebtoken-based verifiers, and Hasura's claims.
let janus: TestServer;
let token: string;
let userId: string;
const servers: Server[] = [];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  janus = await startTestServer({ JANUS_JWT_ALG: 'RS256', JANUS_JWT_CLAIMS: 'hasura' });
  const input = registration();
  userId = (await janus.rest<{ user: { id: string } }>('POST', '/register-user', { body: input })).body.user.id;
  token = (await janus.rest<{ token: string }>('POST', '/login-user', { body: { email: input.email, password: input.password } })).body.token;
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await janus?.close();
});

const underUnknownKid = () =>
  new SignJWT(decodeJwt(token)).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'stranger' }).sign(strangerKey);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

/** Tokens Janus never issued, each of which a verifier must refuse. */
const forgeries: Record<string, () => Promise<string> | string> = {
  "another RSA key presenting Janus's kid": () =>
    new SignJWT(decodeJwt(token)).setProtectedHeader({ ...decodeProtectedHeader(token), alg: 'RS256' }).sign(strangerKey),
  'HS256 signed with the RSA public key (algorithm confusion)': async () => {
    const response = await fetch(`${janus.url}/.well-known/jwks.json`);
    const { keys } = (await response.json()) as { keys: JsonWebKey[] };
    const publicPem = createPublicKey({ key: keys[0]!, format: 'jwk' }).export({ format: 'pem', type: 'spki' }) as string;
    return new SignJWT(decodeJwt(token)).setProtectedHeader({ ...decodeProtectedHeader(token), alg: 'HS256' }).sign(new TextEncoder().encode(publicPem));
  },
  'a tampered payload': () => {
    const [header, , signature] = token.split('.');
    return `${header}.${b64({ ...decodeJwt(token), role: 'admin', perms: ['roles:write'] })}.${signature}`;
  },
};

it("puts Hasura's claims in the access token with JANUS_JWT_CLAIMS=hasura, and both surfaces still accept it", async () => {
  expect(decodeJwt(token)['https://hasura.io/jwt/claims']).toEqual({
    'x-hasura-allowed-roles': ['employee'],
    'x-hasura-default-role': 'employee',
    'x-hasura-user-id': userId,
  });
  expect((await janus.rest<{ id: string }>('GET', '/me', { token })).body.id).toBe(userId);
  expect((await janus.graphql<{ me: { id: string } }>('{ me { id } }', { token })).body.data?.me.id).toBe(userId);
});

describe('Hive Gateway (JWT plugin, remote JWKS) in front of a Yoga service', () => {
  let gatewayUrl: string;

  beforeAll(async () => {
    const serviceUrl = `${await listen(createServer(viewerService()))}/graphql`;
    const gateway = janusGateway({ janusUrl: janus.url, serviceUrl, logging: false });
    gatewayUrl = `${await listen(createServer(gateway))}/graphql`;
  });

  const ask = async (bearer: string | undefined) => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }) },
      body: JSON.stringify({ query: '{ viewer { id role permissions } }' }),
    });
    return { status: response.status, body: (await response.json()) as { data?: { viewer: unknown }; errors?: { message: string }[] } };
  };

  it("accepts a Janus token from loginUser and forwards its claims to the service", async () => {
    expect(await ask(token)).toEqual({ status: 200, body: { data: { viewer: { id: userId, role: 'employee', permissions: [] } } } });
  });

  it.each(Object.entries(forgeries))('refuses %s with 401', async (_name, forge) => {
    const answer = await ask(await forge());
    expect(answer.status).toBe(401);
    expect(answer.body.data).toBeUndefined();
  });

  it('refuses a token under a kid Janus does not hold, though with 500: the plugin throws a plain Error when no key is found', async () => {
    expect(await ask(await underUnknownKid())).toEqual({
      status: 500,
      body: { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
    });
  });

  it('refuses a request without a token with 401 (reject.missingToken)', async () => {
    expect((await ask(undefined)).status).toBe(401);
  });
});

describe('a jose resource server (createRemoteJWKSet + jwtVerify)', () => {
  const get = async (url: string, bearer?: string) =>
    fetch(url, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });

  it("verifies a Janus token against Janus's JWKS, with the issuer, audience and type checked", async () => {
    const url = await listen(resourceServer(janus.url));
    const answer = await get(url, token);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ user: userId, perms: [] });
    for (const forge of [...Object.values(forgeries), underUnknownKid]) expect((await get(url, await forge())).status).toBe(401);
    expect((await get(url)).status).toBe(401);
  });

  it('refuses a Janus token when it expects another audience or issuer', async () => {
    for (const expected of [{ issuer: 'janus', audience: 'another-api' }, { issuer: 'someone-else', audience: 'janus' }]) {
      expect((await get(await listen(resourceServer(janus.url, expected)), token)).status).toBe(401);
    }
  });
});
