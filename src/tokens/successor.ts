import { createHmac } from 'node:crypto';

/**
 * The refresh token that replaces `parent`, derived from it and the successor's row id (a random
 * UUID). A replay of `parent` within the reuse interval can then be answered with the very same
 * successor — no second live token in the family — while the database still holds nothing that
 * yields a token: only the SHA-256 of `parent` is stored, and without `parent` the id is useless.
 * Whoever can derive it already holds the parent token, which is exactly who the reuse interval
 * answers. 256 bits, URL-safe, like every refresh token; no server key to manage.
 */
export function successorOf(parent: string, successorId: string): string {
  return createHmac('sha256', parent).update(successorId).digest('base64url');
}
