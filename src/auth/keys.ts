import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { ConfigError, type JwtAlgorithm } from '../server/config.ts';

export interface SigningKey {
  alg: JwtAlgorithm;
  kid: string;
  /** Signs tokens. For HS256 the same secret also verifies them. */
  signingKey: KeyObject;
  verificationKey: KeyObject;
  /** The public JWK to publish, or undefined for a shared secret. */
  publicJwk: JWK | undefined;
}

const HS256_MIN_SECRET_BYTES = 32;

function parsePrivateKey(alg: JwtAlgorithm, raw: string): KeyObject {
  if (alg === 'HS256') {
    const secret = Buffer.from(raw, 'utf8');
    if (secret.length < HS256_MIN_SECRET_BYTES) {
      throw new ConfigError(`JANUS_JWT_PRIVATE_KEY must be at least ${HS256_MIN_SECRET_BYTES} bytes for HS256`);
    }
    return createSecretKey(secret);
  }
  try {
    const trimmed = raw.trim();
    return trimmed.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' })
      : createPrivateKey(trimmed);
  } catch {
    throw new ConfigError('JANUS_JWT_PRIVATE_KEY is neither a PEM private key nor a private JWK');
  }
}

function assertKeyFits(alg: JwtAlgorithm, key: KeyObject): void {
  const fits =
    (alg === 'EdDSA' && key.asymmetricKeyType === 'ed25519') ||
    (alg === 'ES256' && key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') ||
    (alg === 'HS256' && key.type === 'secret');
  if (!fits) throw new ConfigError(`JANUS_JWT_PRIVATE_KEY does not fit JANUS_JWT_ALG=${alg}`);
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

async function describe(alg: JwtAlgorithm, privateKey: KeyObject): Promise<SigningKey> {
  if (alg === 'HS256') {
    const jwk: JWK = { kty: 'oct', k: privateKey.export().toString('base64url') };
    return { alg, kid: await calculateJwkThumbprint(jwk), signingKey: privateKey, verificationKey: privateKey, publicJwk: undefined };
  }
  const publicKey = createPublicKey(privateKey);
  const exported = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(exported);
  return { alg, kid, signingKey: privateKey, verificationKey: publicKey, publicJwk: { ...exported, alg, use: 'sig', kid } };
}

export async function loadSigningKey(options: { alg: JwtAlgorithm; privateKey: string | undefined; dataDir: string }): Promise<SigningKey> {
  const key = options.privateKey
    ? parsePrivateKey(options.alg, options.privateKey)
    : await loadOrGenerate(options.alg, options.dataDir);
  assertKeyFits(options.alg, key);
  return describe(options.alg, key);
}
