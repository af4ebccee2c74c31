import { createHmac } from 'node:crypto';
import type { SigningKey } from '../auth/keys.ts';

/**
 * The keys that sign the provider's cookies, derived from the signing key: the same on every
 * instance that shares it, and new when it is rotated (sign-in cookies are short-lived).
 */
export function cookieKeysOf(key: SigningKey): string[] {
  const material = key.signingKey.type === 'secret' ? key.signingKey.export() : key.signingKey.export({ format: 'der', type: 'pkcs8' });
  return [createHmac('sha256', material).update('janus oidc-provider cookies').digest('base64url')];
}
