import { loadSigningKey, loadVerifyKeys } from '../auth/keys.ts';
import { loadEncryptionKey } from '../mfa/encryption.ts';
import type { Config } from './config.ts';
import type { KeyRing } from './services.ts';

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
