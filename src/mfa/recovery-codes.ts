import { randomBytes } from 'node:crypto';
import { hashOpaqueSecret } from '../shared/opaque-secret.ts';

export const RECOVERY_CODE_COUNT = 10;

// Crockford's base32 alphabet, lower-cased: no i, l, o or u to misread.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_BYTES = 10;

/**
 * 80 random bits as `xxxx-xxxx-xxxx-xxxx`: far beyond guessing online, and beyond brute-forcing
 * a leaked SHA-256 offline, so a plain hash is enough (no bcrypt round per login attempt).
 */
export function newRecoveryCode(): string {
  const bytes = randomBytes(CODE_BYTES);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let text = '';
  for (let i = 0; i < (CODE_BYTES * 8) / 5; i += 1) {
    text = ALPHABET[Number(bits & 31n)] + text;
    bits >>= 5n;
  }
  return text.match(/.{4}/g)!.join('-');
}

/** What a user may type: any case, with or without the dashes or spaces. */
export function normalizeRecoveryCode(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase();
}

export function hashRecoveryCode(code: string): string {
  return hashOpaqueSecret(normalizeRecoveryCode(code));
}
