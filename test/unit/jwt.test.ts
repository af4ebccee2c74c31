import { createPrivateKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, base64url, decodeProtectedHeader, type JWTPayload } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createAccessTokenService,
  type AccessClaims,
  type AccessTokenCheck,
  type AccessTokenService,
  type VerifiedAccessToken,
} from '../../src/auth/jwt.ts';
import { loadRsaKey, loadSigningKey, loadVerifyKeys, type SigningKey } from '../../src/auth/keys.ts';
import { protectedHeaderOf } from '../../src/auth/token-shape.ts';
import { ConfigError } from '../../src/shared/config-error.ts';
import type { JwtAlgorithm } from '../../src/auth/keys.ts';

const ISSUER = 'janus';
const AUDIENCE = 'janus';
const TTL_SECONDS = 900;

const dataDirs: string[] = [];
async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'janus-jwt-unit-'));
  dataDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function claims(overrides: Partial<AccessClaims> = {}): AccessClaims {
  return { sub: randomUUID(), sid: randomUUID(), ver: 3, role: 'user', perms: ['users:read', 'me:read'], amr: ['pwd'], auth_time: nowSeconds(), ...overrides };
}

function serviceFor(key: SigningKey, overrides: { issuer?: string; audience?: string } = {}): AccessTokenService {
  return createAccessTokenService({ key, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: TTL_SECONDS, ...overrides });
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The payload a Janus access token carries, for forging tokens by hand. */
function payloadOf(base: AccessClaims, extra: JWTPayload = {}): JWTPayload {
  const now = nowSeconds();
  return {
    sub: base.sub,
    sid: base.sid,
    ver: base.ver,
    role: base.role,
    perms: base.perms,
    amr: base.amr,
    auth_time: base.auth_time,
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + TTL_SECONDS,
    jti: randomUUID(),
    ...extra,
  };
}

function encodeJson(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

function decodePayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (part === undefined) throw new Error('not a compact JWS');
  return JSON.parse(new TextDecoder().decode(base64url.decode(part))) as Record<string, unknown>;
}

async function expectInvalid(check: Promise<AccessTokenCheck>): Promise<void> {
  expect(await check).toEqual({ status: 'invalid' });
}

/** The claims of a check that must have found the token valid. */
function validClaims(check: AccessTokenCheck): VerifiedAccessToken {
  if (check.status !== 'valid') throw new Error(`expected a valid token, got ${check.status}`);
  return check.claims;
}

describe.each<JwtAlgorithm>(['EdDSA', 'ES256', 'RS256', 'HS256'])('access tokens with %s', (alg) => {
  let key: SigningKey;
  let service: AccessTokenService;

  beforeAll(async () => {
    key = await loadSigningKey({ alg, privateKey: undefined, dataDir: await freshDataDir() });
    service = serviceFor(key);
  });

  it('verifies a token it signed and returns the claims plus jti and exp', async () => {
    const input = claims();
    const before = nowSeconds();
    const verified = validClaims(await service.check(await service.sign(input)));
    expect(verified).toMatchObject(input);
    expect(verified.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(verified.exp).toBeGreaterThanOrEqual(before + TTL_SECONDS);
    expect(verified.exp).toBeLessThanOrEqual(nowSeconds() + TTL_SECONDS);
  });

  it('gives every token its own jti', async () => {
    const input = claims();
    const [first, second] = await Promise.all([service.sign(input), service.sign(input)]);
    expect(decodePayload(first).jti).not.toBe(decodePayload(second).jti);
  });

  it('writes the algorithm, the key id and typ "at+jwt" in the header', async () => {
    const header = decodeProtectedHeader(await service.sign(claims()));
    expect(header).toEqual({ alg, kid: key.kid, typ: 'at+jwt' });
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('rejects a token with a tampered payload and the original signature', async () => {
    const token = await service.sign(claims({ role: 'user' }));
    const [header, , signature] = token.split('.');
    const forged = { ...decodePayload(token), role: 'admin' };
    await expectInvalid(service.check(`${header}.${encodeJson(forged)}.${signature}`));
  });
});

describe('access token rejections (EdDSA)', () => {
  let key: SigningKey;
  let service: AccessTokenService;

  beforeAll(async () => {
    key = await loadSigningKey({ alg: 'EdDSA', privateKey: undefined, dataDir: await freshDataDir() });
    service = serviceFor(key);
  });

  /** Signs `payload` with `signingKey` under `header`: a token made outside the service. */
  function forge(payload: JWTPayload, header: Record<string, unknown>, signingKey: KeyObject | Uint8Array = key.signingKey) {
    return new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt', ...header }).sign(signingKey);
  }

  it('accepts a hand-forged token built like the real ones (the forging helper itself is sound)', async () => {
    const input = claims();
    expect(await service.check(await forge(payloadOf(input), {}))).toMatchObject({ status: 'valid', claims: input });
  });

  it('rejects a token issued by another issuer', async () => {
    const token = await serviceFor(key, { issuer: 'someone-else' }).sign(claims());
    await expectInvalid(service.check(token));
  });

  it('rejects a token meant for another audience', async () => {
    const token = await serviceFor(key, { audience: 'another-api' }).sign(claims());
    await expectInvalid(service.check(token));
  });

  it('tells a token it issued that expired beyond the 5 s clock tolerance from an invalid one', async () => {
    const now = nowSeconds();
    const token = await forge(payloadOf(claims(), { iat: now - 120, exp: now - 60 }), {});
    expect(await service.check(token)).toEqual({ status: 'expired' });
  });

  it('rejects an unsigned token with alg "none"', async () => {
    const header = encodeJson({ alg: 'none', typ: 'at+jwt', kid: key.kid });
    await expectInvalid(service.check(`${header}.${encodeJson(payloadOf(claims()))}.`));
  });

  it('rejects an HS256 token whose HMAC secret is the EdDSA public key (algorithm confusion)', async () => {
    const pem = key.verificationKey.export({ format: 'pem', type: 'spki' }) as string;
    const der = key.verificationKey.export({ format: 'der', type: 'spki' });
    const rawX = key.publicJwk?.x;
    if (rawX === undefined) throw new Error('EdDSA key has no public x');
    for (const secret of [new TextEncoder().encode(pem), new Uint8Array(der), base64url.decode(rawX)]) {
      const token = await forge(payloadOf(claims()), { alg: 'HS256' }, secret);
      await expectInvalid(service.check(token));
    }
  });

  it('rejects a token signed by a different key that carries the real kid', async () => {
    const { privateKey: otherKey } = generateKeyPairSync('ed25519');
    const token = await forge(payloadOf(claims()), { kid: key.kid }, otherKey);
    await expectInvalid(service.check(token));
  });

  it('rejects a token whose kid is unknown, even when signed with the real key', async () => {
    const token = await forge(payloadOf(claims()), { kid: 'not-a-known-key' });
    await expectInvalid(service.check(token));
  });

  it('rejects a token without a kid', async () => {
    const token = await new SignJWT(payloadOf(claims())).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' }).sign(key.signingKey);
    await expectInvalid(service.check(token));
  });

  it('rejects a token without typ "at+jwt"', async () => {
    const token = await new SignJWT(payloadOf(claims()))
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
      .sign(key.signingKey);
    await expectInvalid(service.check(token));
  });

  it('rejects a token with another typ, such as a plain JWT', async () => {
    await expectInvalid(service.check(await forge(payloadOf(claims()), { typ: 'JWT' })));
  });

  it('rejects a token whose sid is not a uuid', async () => {
    const token = await forge({ ...payloadOf(claims()), sid: 'session-1' }, {});
    await expectInvalid(service.check(token));
  });

  it('carries amr through signing and verification', async () => {
    const input = claims({ amr: ['pwd', 'otp'] });
    expect(validClaims(await service.check(await service.sign(input))).amr).toEqual(['pwd', 'otp']);
  });

  it('reads a token signed before amr existed as proven by a password alone', async () => {
    const token = await forge(payloadOf(claims(), { amr: undefined }), {});
    expect(validClaims(await service.check(token)).amr).toEqual(['pwd']);
  });

  it('rejects a token whose sub is not a uuid', async () => {
    const token = await forge({ ...payloadOf(claims()), sub: 'admin' }, {});
    await expectInvalid(service.check(token));
  });

  it.each([
    ['ver is not an integer', { ver: 1.5 }],
    ['ver is a string', { ver: '3' }],
    ['role is missing', { role: undefined }],
    ['perms is not an array', { perms: 'users:read' }],
    ['perms holds a non-string', { perms: ['users:read', 7] }],
    ['amr is not an array', { amr: 'pwd' }],
    ['amr holds a non-string', { amr: ['pwd', 1] }],
    ['jti is missing', { jti: undefined }],
    ['iat is missing', { iat: undefined }],
  ])('rejects a correctly signed token when %s', async (_, extra) => {
    await expectInvalid(service.check(await forge(payloadOf(claims(), extra as JWTPayload), {})));
  });

  it.each(['', 'garbage', 'a.b.c', 'a.b', 'garbage.garbage.garbage', `${encodeJson(['EdDSA'])}.e30.`, 'a.b.c.d'])(
    'rejects the malformed token %j',
    async (token) => {
      await expectInvalid(service.check(token));
    },
  );
});

describe('a ring of keys of several algorithms', () => {
  let signing: SigningKey;
  let rsa: SigningKey;
  let service: AccessTokenService;

  beforeAll(async () => {
    const dataDir = await freshDataDir();
    [signing, rsa] = await Promise.all([loadSigningKey({ alg: 'EdDSA', privateKey: undefined, dataDir }), loadRsaKey({ privateKey: undefined, dataDir })]);
    service = createAccessTokenService({ key: signing, verifyKeys: [rsa], issuer: ISSUER, audience: AUDIENCE, ttlSeconds: TTL_SECONDS });
  });

  it('still signs with the signing key alone', async () => {
    expect(decodeProtectedHeader(await service.sign(claims()))).toMatchObject({ alg: 'EdDSA', kid: signing.kid });
  });

  it('accepts an access token signed by the RS256 key of the ring', async () => {
    const input = claims();
    const token = await createAccessTokenService({ key: rsa, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: TTL_SECONDS }).sign(input);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: rsa.kid });
    expect(validClaims(await service.check(token))).toMatchObject(input);
  });

  it("rejects a token whose alg is not its key's own, even another algorithm of the ring", async () => {
    const token = await new SignJWT(payloadOf(claims())).setProtectedHeader({ alg: 'EdDSA', kid: rsa.kid, typ: 'at+jwt' }).sign(signing.signingKey);
    await expectInvalid(service.check(token));
    const hmac = await new SignJWT(payloadOf(claims()))
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid, typ: 'at+jwt' })
      .sign(new TextEncoder().encode(rsa.verificationKey.export({ format: 'pem', type: 'spki' }) as string));
    await expectInvalid(service.check(hmac));
  });

  it('rejects a token signed by an RSA key outside the ring, under its own kid or the real one', async () => {
    const stranger = await loadRsaKey({ privateKey: undefined, dataDir: await freshDataDir() });
    const token = await createAccessTokenService({ key: stranger, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: TTL_SECONDS }).sign(claims());
    await expectInvalid(service.check(token));
    const underRealKid = await new SignJWT(payloadOf(claims())).setProtectedHeader({ alg: 'RS256', kid: rsa.kid, typ: 'at+jwt' }).sign(stranger.signingKey);
    await expectInvalid(service.check(underRealKid));
  });
});

describe('claim shapes for other verifiers (JANUS_JWT_CLAIMS)', () => {
  it("adds Hasura's namespaced claims with the role and user id when asked, and still verifies", async () => {
    const key = await loadSigningKey({ alg: 'EdDSA', privateKey: undefined, dataDir: await freshDataDir() });
    const service = createAccessTokenService({ key, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: TTL_SECONDS, claimShapes: ['hasura'] });
    const input = claims({ role: 'editor' });
    const token = await service.sign(input);
    expect(decodePayload(token)['https://hasura.io/jwt/claims']).toEqual({
      'x-hasura-allowed-roles': ['editor'],
      'x-hasura-default-role': 'editor',
      'x-hasura-user-id': input.sub,
    });
    expect(validClaims(await service.check(token))).toMatchObject(input);
    expect(decodePayload(await serviceFor(key).sign(input))).not.toHaveProperty(['https://hasura.io/jwt/claims']);
  });
});

describe('verified-token cache', () => {
  let key: SigningKey;

  beforeAll(async () => {
    key = await loadSigningKey({ alg: 'EdDSA', privateKey: undefined, dataDir: await freshDataDir() });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers a token verified before with the same claims', async () => {
    const service = serviceFor(key);
    const token = await service.sign(claims());
    const first = validClaims(await service.check(token));
    expect(validClaims(await service.check(token))).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('still rejects a verified token once it expires beyond the clock tolerance', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const service = createAccessTokenService({ key, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 60 });
    const token = await service.sign(claims());
    expect(await service.check(token)).toMatchObject({ status: 'valid' });
    vi.setSystemTime(Date.now() + 63_000);
    expect(await service.check(token)).toMatchObject({ status: 'valid' });
    vi.setSystemTime(Date.now() + 3_000);
    expect(await service.check(token)).toEqual({ status: 'expired' });
  });

  it('never lets a tampered copy of a verified token through', async () => {
    const service = serviceFor(key);
    const token = await service.sign(claims({ role: 'user' }));
    await service.check(token);
    const [header, , signature] = token.split('.');
    const forged = { ...decodePayload(token), role: 'admin' };
    await expectInvalid(service.check(`${header}.${encodeJson(forged)}.${signature}`));
  });
});

describe('protectedHeaderOf', () => {
  it('reads the header of a compact JWS', () => {
    expect(protectedHeaderOf(`${encodeJson({ alg: 'EdDSA', kid: 'k' })}.e30.sig`)).toEqual({ alg: 'EdDSA', kid: 'k' });
  });

  it.each(['', 'garbage', 'a.b', 'a.b.c.d', '.e30.x', 'garbage.garbage.garbage', `${encodeJson([1])}.e30.x`, `${base64url.encode('{no json}')}.e30.x`])(
    'gives undefined for %j without throwing',
    (token) => {
      expect(protectedHeaderOf(token)).toBeUndefined();
    },
  );
});

describe('loadSigningKey', () => {
  it('persists a generated key: loading twice from one data folder gives the same kid', async () => {
    const dataDir = await freshDataDir();
    const first = await loadSigningKey({ alg: 'EdDSA', privateKey: undefined, dataDir });
    const second = await loadSigningKey({ alg: 'EdDSA', privateKey: undefined, dataDir });
    expect(second.kid).toBe(first.kid);
    // A token signed before the "restart" still verifies after it.
    const token = await serviceFor(first).sign(claims());
    expect(await serviceFor(second).check(token)).toMatchObject({ status: 'valid' });
  });

  it('generates a different key in a different data folder', async () => {
    const a = await loadSigningKey({ alg: 'EdDSA', privateKey: undefined, dataDir: await freshDataDir() });
    const b = await loadSigningKey({ alg: 'EdDSA', privateKey: undefined, dataDir: await freshDataDir() });
    expect(a.kid).not.toBe(b.kid);
  });

  it.each<JwtAlgorithm>(['EdDSA', 'ES256', 'RS256', 'HS256'])('writes the generated %s key file readable by its owner only (0600)', async (alg) => {
    const dataDir = await freshDataDir();
    await loadSigningKey({ alg, privateKey: undefined, dataDir });
    const files = await readdir(path.join(dataDir, 'keys'));
    expect(files).toHaveLength(1);
    const [file] = files;
    if (file === undefined) throw new Error('no key file written');
    expect((await stat(path.join(dataDir, 'keys', file))).mode & 0o777).toBe(0o600);
  });

  it('publishes a public JWK for asymmetric keys and none for HS256', async () => {
    const ed = await loadSigningKey({ alg: 'EdDSA', privateKey: undefined, dataDir: await freshDataDir() });
    expect(ed.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: ed.kid });
    expect(ed.publicJwk).not.toHaveProperty('d');
    const hs = await loadSigningKey({ alg: 'HS256', privateKey: undefined, dataDir: await freshDataDir() });
    expect(hs.publicJwk).toBeUndefined();
  });

  it('uses a PEM private key given as privateKey instead of generating one', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const dataDir = await freshDataDir();
    const key = await loadSigningKey({ alg: 'EdDSA', privateKey: pem, dataDir });
    expect(key.verificationKey.equals(publicKey)).toBe(true);
    expect(await readdir(dataDir)).toEqual([]);
    // Tokens signed with the given key verify against its public half.
    const token = await serviceFor(key).sign(claims());
    expect(await serviceFor(key).check(token)).toMatchObject({ status: 'valid' });
  });

  it('uses a private JWK given as a JSON string', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = JSON.stringify(privateKey.export({ format: 'jwk' }));
    const key = await loadSigningKey({ alg: 'EdDSA', privateKey: jwk, dataDir: await freshDataDir() });
    expect(key.verificationKey.equals(publicKey)).toBe(true);
  });

  it('gives the same kid for the same key whether given as PEM or as JWK', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const dataDir = await freshDataDir();
    const fromPem = await loadSigningKey({ alg: 'EdDSA', privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, dataDir });
    const fromJwk = await loadSigningKey({ alg: 'EdDSA', privateKey: JSON.stringify(privateKey.export({ format: 'jwk' })), dataDir });
    expect(fromJwk.kid).toBe(fromPem.kid);
  });

  it('accepts an HS256 secret of exactly 32 bytes', async () => {
    const key = await loadSigningKey({ alg: 'HS256', privateKey: 's'.repeat(32), dataDir: await freshDataDir() });
    expect(key.signingKey.type).toBe('secret');
  });

  it('throws ConfigError for an HS256 secret shorter than 32 bytes', async () => {
    await expect(loadSigningKey({ alg: 'HS256', privateKey: 's'.repeat(31), dataDir: await freshDataDir() })).rejects.toBeInstanceOf(
      ConfigError,
    );
  });

  it('throws ConfigError for an ES256 PEM given with alg EdDSA', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    await expect(loadSigningKey({ alg: 'EdDSA', privateKey: pem, dataDir: await freshDataDir() })).rejects.toBeInstanceOf(ConfigError);
  });

  it('throws ConfigError for an EC key on another curve given with alg ES256', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    await expect(loadSigningKey({ alg: 'ES256', privateKey: pem, dataDir: await freshDataDir() })).rejects.toBeInstanceOf(ConfigError);
  });

  it('throws ConfigError, not a crypto error, for text that is neither PEM nor JWK', async () => {
    await expect(loadSigningKey({ alg: 'EdDSA', privateKey: 'not a key', dataDir: await freshDataDir() })).rejects.toBeInstanceOf(
      ConfigError,
    );
  });

  it('throws ConfigError for a public key given where a private key is expected', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
    await expect(loadSigningKey({ alg: 'EdDSA', privateKey: pem, dataDir: await freshDataDir() })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('loadRsaKey', () => {
  const rsaPem = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;

  it('generates a 2048-bit RSA key into the data folder, shared with a JANUS_JWT_ALG=RS256 signing key', async () => {
    const dataDir = await freshDataDir();
    const rsa = await loadRsaKey({ privateKey: undefined, dataDir });
    expect(rsa.alg).toBe('RS256');
    expect(rsa.signingKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(rsa.publicJwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: rsa.kid });
    expect(rsa.publicJwk).not.toHaveProperty('d');
    expect((await loadSigningKey({ alg: 'RS256', privateKey: undefined, dataDir })).kid).toBe(rsa.kid);
    expect(await readdir(path.join(dataDir, 'keys'))).toEqual(['jwt-rs256.key']);
  });

  it('uses a configured 3072-bit PEM or a private JWK', async () => {
    const pem = rsaPem(3072);
    const fromPem = await loadRsaKey({ privateKey: pem, dataDir: await freshDataDir() });
    const jwk = JSON.stringify(createPrivateKey(pem).export({ format: 'jwk' }));
    expect((await loadRsaKey({ privateKey: jwk, dataDir: await freshDataDir() })).kid).toBe(fromPem.kid);
  });

  it('refuses an RSA key shorter than 2048 bits, and a key of another type, naming the variable', async () => {
    await expect(loadRsaKey({ privateKey: rsaPem(1024), dataDir: await freshDataDir() })).rejects.toThrow(
      'JANUS_JWT_RSA_PRIVATE_KEY does not fit RS256 (an RSA key of at least 2048 bits)',
    );
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    await expect(loadRsaKey({ privateKey: ed, dataDir: await freshDataDir() })).rejects.toBeInstanceOf(ConfigError);
    await expect(loadSigningKey({ alg: 'RS256', privateKey: rsaPem(1024), dataDir: await freshDataDir() })).rejects.toThrow(
      'JANUS_JWT_PRIVATE_KEY does not fit JANUS_JWT_ALG=RS256',
    );
  });
});

describe('loadVerifyKeys', () => {
  const spki = (key: KeyObject) => key.export({ format: 'pem', type: 'spki' }) as string;

  it('verifies each key with the algorithm of its type, whatever JANUS_JWT_ALG is', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const ed = generateKeyPairSync('ed25519').publicKey;
    const keys = await loadVerifyKeys('EdDSA', [rsa, ec, ed].map(spki).join('\n'));
    expect(keys.map((key) => key.alg)).toEqual(['RS256', 'ES256', 'EdDSA']);
    const fromJwk = await loadVerifyKeys('ES256', JSON.stringify([rsa.export({ format: 'jwk' })]));
    expect(fromJwk[0]).toMatchObject({ alg: 'RS256', kid: keys[0]!.kid });
  });

  it('refuses a key Janus does not verify with', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    await expect(loadVerifyKeys('ES256', spki(p384))).rejects.toThrow(/JANUS_JWT_VERIFY_KEYS holds a key Janus does not verify with/);
    const shortRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    await expect(loadVerifyKeys('RS256', spki(shortRsa))).rejects.toBeInstanceOf(ConfigError);
  });
});
