import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: opaque to clients, useless without the database row it hashes to. */
export function newRefreshSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
