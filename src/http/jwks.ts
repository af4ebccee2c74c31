import type { JWK } from 'jose';
import type { Endpoint } from '../shared/reply.ts';

export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * Publishes the public keys that verify Janus's access tokens, so other services can check a
 * token without calling Janus. With HS256 there is nothing public to publish: 404.
 */
export function jwksEndpoint(publicJwks: readonly JWK[]): Endpoint {
  const body = JSON.stringify({ keys: publicJwks });
  return () =>
    publicJwks.length === 0
      ? { status: 404 }
      : { status: 200, headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' }, body };
}
