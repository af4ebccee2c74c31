import type { JWK } from 'jose';
import { loadRsaKey, loadSigningKey, loadVerifyKeys, type SigningKey, type VerificationKey } from '../auth/keys.ts';
import { loadEncryptionKey } from '../mfa/encryption.ts';
import type { Config } from './config.ts';

/** The keys a process holds: what signs and verifies tokens, what encrypts TOTP secrets. */
export interface KeyRing {
  /** Signs access tokens (JANUS_JWT_ALG). */
  signing: SigningKey;
  /**
   * The RS256 key every Janus holds for OpenID Connect's ID tokens; with JANUS_JWT_ALG=RS256 the
   * signing key itself. It also verifies access tokens.
   */
  rsa: SigningKey;
  /** Verify-only keys from before a rotation (JANUS_JWT_VERIFY_KEYS). */
  previous: VerificationKey[];
  /** Encrypts TOTP secrets at rest. */
  encryption: { key: Buffer; previousKeys: Buffer[] };
}

/**
 * The signing key and the RS256 key beside it (each configured or generated in the data folder;
 * with JANUS_JWT_ALG=RS256 they are one key), the verify-only keys, and the key that encrypts
 * TOTP secrets (likewise configured or generated).
 */
export async function loadKeyRing(config: Config): Promise<KeyRing> {
  const { jwt, dataDir } = config;
  const signing = loadSigningKey({ alg: jwt.algorithm, privateKey: jwt.privateKey, dataDir });
  const [signingKey, rsa] = await Promise.all([
    signing,
    jwt.algorithm === 'RS256' ? signing : loadRsaKey({ privateKey: jwt.rsaPrivateKey, dataDir }),
  ]);
  const previous = await loadVerifyKeys(jwt.algorithm, jwt.verifyKeys);
  const encryption = { key: await loadEncryptionKey(config.encryption.key, dataDir), previousKeys: config.encryption.previousKeys };
  return {
    signing: signingKey,
    rsa,
    previous: previous.filter((key) => key.kid !== signingKey.kid && key.kid !== rsa.kid),
    encryption,
  };
}

/** What /.well-known/jwks.json publishes: every public key of the ring, once (an HS256 secret is not public). */
export function publicJwksOf(keys: KeyRing): JWK[] {
  const byKid = new Map([keys.signing, keys.rsa, ...keys.previous].map((key) => [key.kid, key.publicJwk]));
  return [...byKid.values()].filter((jwk): jwk is JWK => jwk !== undefined);
}
