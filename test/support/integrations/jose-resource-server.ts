import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/**
 * A resource server that accepts Janus access tokens with jose alone: the signature against
 * Janus's JWKS (any algorithm Janus signs with, EdDSA included), then issuer, audience and type.
 */
export function resourceServer(janusUrl: string, expected = { issuer: 'janus', audience: 'janus' }) {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', janusUrl));
  return createServer(async (request, response) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    try {
      if (!token) throw new Error('no token');
      const { payload } = await jwtVerify(token, jwks, { ...expected, typ: 'at+jwt' });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ user: payload.sub, perms: payload.perms }));
    } catch {
      response.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    }
  });
}
