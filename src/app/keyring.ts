import { loadRsaKey, loadSigningKey, loadVerifyKeys } from '../auth/keys.ts';
import { loadEncryptionKey } from '../mfa/encryption.ts';
import type { Config } from './config.ts';
import type { KeyRing } from './services.ts';

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
