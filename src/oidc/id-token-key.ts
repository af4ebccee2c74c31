import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { SigningKey } from '../auth/keys.ts';
import type { IdTokenKey } from './provider.ts';

/**
 * TEMPORARY, until the key ring holds `keys.rsa` (branch verifiers, "Keys: an RS256 key beside the
 * signing key"): an RS256 key made at start, so ID tokens verify on this process only.
 */
export async function temporaryIdTokenKey(): Promise<IdTokenKey & { publicJwk: JWK }> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const exported = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(exported);
  return { kid, signingKey: privateKey, publicJwk: { ...exported, kid, alg: 'RS256', use: 'sig' } };
}

/**
 * The keys that sign the provider's cookies, derived from the signing key: the same on every
 * instance that shares it, and new when it is rotated (sign-in cookies are short-lived).
 */
export function cookieKeysOf(key: SigningKey): string[] {
  const material = key.signingKey.type === 'secret' ? key.signingKey.export() : key.signingKey.export({ format: 'der', type: 'pkcs8' });
  return [createHmac('sha256', material).update('janus oidc-provider cookies').digest('base64url')];
}
