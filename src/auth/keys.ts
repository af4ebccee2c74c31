import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPair, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { ConfigError } from '../shared/config-error.ts';

export type JwtAlgorithm = 'EdDSA' | 'ES256' | 'RS256' | 'HS256';

/**
 * A key that verifies tokens: the signing key's own, the RSA key beside it, or one kept from
 * before a rotation. A token verifies only with the algorithm its key is for.
 */
export interface VerificationKey {
  alg: JwtAlgorithm;
  kid: string;
  verificationKey: KeyObject;
  /** The public JWK to publish, or undefined for a shared secret. */
  publicJwk: JWK | undefined;
}

export interface SigningKey extends VerificationKey {
  /** Signs tokens. For HS256 the same secret also verifies them. */
  signingKey: KeyObject;
}

const HS256_MIN_SECRET_BYTES = 32;
/** RFC 7518 §3.3 asks for 2048 bits at least; generated keys have exactly that (3072+ costs ~4x to make). */
const RSA_MIN_BITS = 2048;

function secretKey(variable: string, raw: string): KeyObject {
  const secret = Buffer.from(raw, 'utf8');
  if (secret.length < HS256_MIN_SECRET_BYTES) {
    throw new ConfigError(`${variable} must be at least ${HS256_MIN_SECRET_BYTES} bytes for HS256`);
  }
  return createSecretKey(secret);
}

function parsePrivateKey(variable: string, alg: JwtAlgorithm, raw: string): KeyObject {
  if (alg === 'HS256') return secretKey(variable, raw);
  try {
    const trimmed = raw.trim();
    return trimmed.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' })
      : createPrivateKey(trimmed);
  } catch {
    throw new ConfigError(`${variable} is neither a PEM private key nor a private JWK`);
  }
}

/** The algorithm a key is for, or undefined for a key Janus does not sign or verify with. */
function algorithmOf(key: KeyObject): JwtAlgorithm | undefined {
  if (key.type === 'secret') return 'HS256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= RSA_MIN_BITS) return 'RS256';
  return undefined;
}

const RSA_HINT = `an RSA key of at least ${RSA_MIN_BITS} bits`;

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

const generateKeyPairAsync = promisify(generateKeyPair);

/** Off the event loop: an RSA key takes a noticeable fraction of a second to make. */
async function generatePrivateKey(alg: JwtAlgorithm): Promise<KeyObject> {
  if (alg === 'HS256') return createSecretKey(randomBytes(HS256_MIN_SECRET_BYTES));
  if (alg === 'ES256') return (await generateKeyPairAsync('ec', { namedCurve: 'P-256' })).privateKey;
  if (alg === 'RS256') return (await generateKeyPairAsync('rsa', { modulusLength: RSA_MIN_BITS })).privateKey;
  return (await generateKeyPairAsync('ed25519')).privateKey;
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
  const key = await generatePrivateKey(alg);
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
    return { alg, kid: await calculateJwkThumbprint(jwk), verificationKey: key, publicJwk: undefined };
  }
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const exported = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(exported);
  return { alg, kid, verificationKey: publicKey, publicJwk: { ...exported, alg, use: 'sig', kid } };
}

/** The private key in `variable`, else the one generated into the data folder, checked to be an `alg` key. */
async function loadPrivateKey(variable: string, alg: JwtAlgorithm, privateKey: string | undefined, dataDir: string, requirement: string): Promise<SigningKey> {
  const key = privateKey ? parsePrivateKey(variable, alg, privateKey) : await loadOrGenerate(alg, dataDir);
  if (algorithmOf(key) !== alg) throw new ConfigError(`${variable} does not fit ${requirement}`);
  return { signingKey: key, ...(await describe(alg, key)) };
}

/** The key that signs access tokens (JANUS_JWT_PRIVATE_KEY). */
export function loadSigningKey(options: { alg: JwtAlgorithm; privateKey: string | undefined; dataDir: string }): Promise<SigningKey> {
  const requirement = `JANUS_JWT_ALG=${options.alg}${options.alg === 'RS256' ? ` (${RSA_HINT})` : ''}`;
  return loadPrivateKey('JANUS_JWT_PRIVATE_KEY', options.alg, options.privateKey, options.dataDir, requirement);
}

/**
 * The RS256 key every Janus holds beside its signing key (JANUS_JWT_RSA_PRIVATE_KEY): OpenID
 * Connect requires RS256 of every provider, for ID tokens. Generated keys share the file of a
 * JANUS_JWT_ALG=RS256 signing key, so the two are one key.
 */
export function loadRsaKey(options: { privateKey: string | undefined; dataDir: string }): Promise<SigningKey> {
  return loadPrivateKey('JANUS_JWT_RSA_PRIVATE_KEY', 'RS256', options.privateKey, options.dataDir, `RS256 (${RSA_HINT})`);
}

/**
 * Keys that verify but no longer sign. Each verifies with the algorithm of its type (Ed25519,
 * P-256, RSA), whatever JANUS_JWT_ALG is now, so that a rotation may change the algorithm or
 * retire an RSA key; shared secrets only when JANUS_JWT_ALG=HS256.
 */
export async function loadVerifyKeys(alg: JwtAlgorithm, raw: string | undefined): Promise<VerificationKey[]> {
  if (!raw) return [];
  return Promise.all(
    parseVerifyKeys(alg, raw).map((key) => {
      const keyAlg = algorithmOf(key);
      if (!keyAlg) {
        throw new ConfigError(`JANUS_JWT_VERIFY_KEYS holds a key Janus does not verify with: use Ed25519, P-256 or ${RSA_HINT}`);
      }
      return describe(keyAlg, key);
    }),
  );
}
