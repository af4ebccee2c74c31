import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { ConfigError } from '../shared/config-error.ts';

export type JwtAlgorithm = 'EdDSA' | 'ES256' | 'HS256';

/** A key that verifies tokens: the signing key's own, or one kept from before a rotation. */
export interface VerificationKey {
  kid: string;
  verificationKey: KeyObject;
  /** The public JWK to publish, or undefined for a shared secret. */
  publicJwk: JWK | undefined;
}

export interface SigningKey extends VerificationKey {
  alg: JwtAlgorithm;
  kid: string;
  /** Signs tokens. For HS256 the same secret also verifies them. */
  signingKey: KeyObject;
}

const HS256_MIN_SECRET_BYTES = 32;

function secretKey(variable: string, raw: string): KeyObject {
  const secret = Buffer.from(raw, 'utf8');
  if (secret.length < HS256_MIN_SECRET_BYTES) {
    throw new ConfigError(`${variable} must be at least ${HS256_MIN_SECRET_BYTES} bytes for HS256`);
  }
  return createSecretKey(secret);
}

function parsePrivateKey(alg: JwtAlgorithm, raw: string): KeyObject {
  if (alg === 'HS256') return secretKey('JANUS_JWT_PRIVATE_KEY', raw);
  try {
    const trimmed = raw.trim();
    return trimmed.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' })
      : createPrivateKey(trimmed);
  } catch {
    throw new ConfigError('JANUS_JWT_PRIVATE_KEY is neither a PEM private key nor a private JWK');
  }
}

function assertKeyFits(variable: string, alg: JwtAlgorithm, key: KeyObject): void {
  const fits =
    (alg === 'EdDSA' && key.asymmetricKeyType === 'ed25519') ||
    (alg === 'ES256' && key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') ||
    (alg === 'HS256' && key.type === 'secret');
  if (!fits) throw new ConfigError(`${variable} does not fit JANUS_JWT_ALG=${alg}`);
}

const PEM_BLOCK = /-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g;

/** Each verify-only key as a public key (or, for HS256, a secret). */
function parseVerifyKeys(alg: JwtAlgorithm, raw: string): KeyObject[] {
  const variable = 'JANUS_JWT_VERIFY_KEYS';
  const trimmed = raw.trim();
  try {
    if (trimmed.startsWith('[')) {
      const entries = JSON.parse(trimmed) as unknown[];
      return entries.map((entry) =>
        typeof entry === 'string' && alg === 'HS256'
          ? secretKey(variable, entry)
          : createPublicKey({ key: entry as JsonWebKey, format: 'jwk' }),
      );
    }
    const blocks = trimmed.match(PEM_BLOCK) ?? [];
    if (blocks.length === 0) throw new Error('no key found');
    return blocks.map((block) => createPublicKey(block));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${variable} must be PEM keys or a JSON array of JWKs (HS256: of secrets)`);
  }
}

function generatePrivateKey(alg: JwtAlgorithm): KeyObject {
  if (alg === 'HS256') return createSecretKey(randomBytes(HS256_MIN_SECRET_BYTES));
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return generateKeyPairSync('ed25519').privateKey;
}

function serialise(key: KeyObject): string {
  return key.type === 'secret'
    ? key.export().toString('base64')
    : (key.export({ format: 'pem', type: 'pkcs8' }) as string);
}

function deserialise(alg: JwtAlgorithm, text: string): KeyObject {
  return alg === 'HS256' ? createSecretKey(Buffer.from(text, 'base64')) : createPrivateKey(text);
}

/** A generated key survives restarts in the data folder, readable by its owner only. */
async function loadOrGenerate(alg: JwtAlgorithm, dataDir: string): Promise<KeyObject> {
  const file = path.join(dataDir, 'keys', `jwt-${alg.toLowerCase()}.key`);
  try {
    return deserialise(alg, await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = generatePrivateKey(alg);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, serialise(key), { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    // Another process generated it first: use theirs so that both sign with one key.
    if (error.code !== 'EEXIST') throw error;
  });
  return deserialise(alg, await readFile(file, 'utf8'));
}

/** The kid is the RFC 7638 thumbprint, so the same key always gets the same id on every instance. */
async function describe(alg: JwtAlgorithm, key: KeyObject): Promise<VerificationKey> {
  if (key.type === 'secret') {
    const jwk: JWK = { kty: 'oct', k: key.export().toString('base64url') };
    return { kid: await calculateJwkThumbprint(jwk), verificationKey: key, publicJwk: undefined };
  }
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const exported = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(exported);
  return { kid, verificationKey: publicKey, publicJwk: { ...exported, alg, use: 'sig', kid } };
}

export async function loadSigningKey(options: { alg: JwtAlgorithm; privateKey: string | undefined; dataDir: string }): Promise<SigningKey> {
  const key = options.privateKey
    ? parsePrivateKey(options.alg, options.privateKey)
    : await loadOrGenerate(options.alg, options.dataDir);
  assertKeyFits('JANUS_JWT_PRIVATE_KEY', options.alg, key);
  return { alg: options.alg, signingKey: key, ...(await describe(options.alg, key)) };
}

export async function loadVerifyKeys(alg: JwtAlgorithm, raw: string | undefined): Promise<VerificationKey[]> {
  if (!raw) return [];
  const keys = parseVerifyKeys(alg, raw);
  for (const key of keys) assertKeyFits('JANUS_JWT_VERIFY_KEYS', alg, key);
  return Promise.all(keys.map((key) => describe(alg, key)));
}
