import type { JWK } from 'jose';
import { loadSigningKey, loadVerifyKeys, type SigningKey, type VerificationKey } from '../auth/keys.ts';
import { loadEncryptionKey } from '../mfa/encryption.ts';
import type { Config } from './config.ts';

/** The keys a process holds: what signs and verifies tokens, what encrypts TOTP secrets. */
export interface KeyRing {
  signing: SigningKey;
  previous: VerificationKey[];
  /** Encrypts TOTP secrets at rest. */
  encryption: { key: Buffer; previousKeys: Buffer[] };
}

/**
 * The signing key (configured or generated in the data folder) and the verify-only keys, and
 * the key that encrypts TOTP secrets (likewise configured or generated).
 */
export async function loadKeyRing(config: Config): Promise<KeyRing> {
  const signing = await loadSigningKey({ alg: config.jwt.algorithm, privateKey: config.jwt.privateKey, dataDir: config.dataDir });
  const previous = await loadVerifyKeys(config.jwt.algorithm, config.jwt.verifyKeys);
  const encryption = { key: await loadEncryptionKey(config.encryption.key, config.dataDir), previousKeys: config.encryption.previousKeys };
  return { signing, previous: previous.filter((key) => key.kid !== signing.kid), encryption };
}

/** What /.well-known/jwks.json publishes: every public key that verifies, none for HS256. */
export function publicJwksOf(keys: KeyRing): JWK[] {
  return [keys.signing, ...keys.previous].flatMap((key) => (key.publicJwk ? [key.publicJwk] : []));
}
