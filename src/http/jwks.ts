import type { JWK } from 'jose';
import type { Plugin } from 'graphql-yoga';

export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * Publishes the public keys that verify Janus's access tokens, so other services can check a
 * token without calling Janus. With HS256 there is nothing public to publish: 404.
 */
export function useJwks(publicJwks: readonly JWK[]): Plugin {
  const body = JSON.stringify({ keys: publicJwks });
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== JWKS_PATH) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
      } else if (publicJwks.length === 0) {
        endResponse(new fetchAPI.Response(null, { status: 404 }));
      } else {
        endResponse(
          new fetchAPI.Response(body, {
            headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
          }),
        );
      }
    },
  };
}
