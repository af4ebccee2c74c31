import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: opaque to clients, useless without the database row it hashes to. */
export function newOpaqueSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps instead of the secret: a leak of it yields nothing usable. */
export function hashOpaqueSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
