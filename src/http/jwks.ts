import type { JWK } from 'jose';
import type { Endpoint } from '../shared/reply.ts';

export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * Publishes the public keys that verify Janus's tokens, so other services can check a token
 * without calling Janus. Never empty: the RS256 key is always there, also beside an HS256 secret.
 */
export function jwksEndpoint(publicJwks: readonly JWK[]): Endpoint {
  const body = JSON.stringify({ keys: publicJwks });
  return () => ({ status: 200, headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' }, body });
}
