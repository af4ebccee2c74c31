import type { IncomingMessage, ServerResponse } from 'node:http';
import { isClientToken } from '../auth/jwt.ts';
import { isClientPrincipal } from '../auth/principal.ts';
import type { TokenService } from '../tokens/service.ts';
import { scopeList } from './scopes.ts';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function refuse(response: ServerResponse, status: 401 | 403, error: 'invalid_token' | 'insufficient_scope', description: string): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'www-authenticate': `Bearer realm="janus", error="${error}", error_description="${description}"`,
  });
  response.end(JSON.stringify({ error, error_description: description }));
}

/**
 * OpenID Connect's userinfo, answered by Janus from the access token an OpenID client got (a Janus
 * access token with `openid` among its scopes): the same checks as any request — signature,
 * session, token version, the session rule — then the claims its scopes allow.
 */
export function createUserinfo(tokens: Pick<TokenService, 'checkAccessToken' | 'principalOf'>) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const check = token === undefined ? undefined : await tokens.checkAccessToken(token);
    if (check?.status !== 'valid' || isClientToken(check.claims)) return refuse(response, 401, 'invalid_token', 'The access token is not valid');
    const scopes = new Set(scopeList(check.claims.scope));
    if (!scopes.has('openid')) return refuse(response, 403, 'insufficient_scope', 'The access token has no openid scope');
    const principal = await tokens.principalOf(check.claims);
    if (!principal || isClientPrincipal(principal)) return refuse(response, 401, 'invalid_token', 'The access token is not valid');
    const { user } = principal;
    const claims: Record<string, unknown> = { sub: user.id };
    if (scopes.has('email')) Object.assign(claims, { email: user.email, email_verified: user.emailVerified });
    if (scopes.has('profile')) {
      Object.assign(claims, { name: `${user.firstName} ${user.lastName}`.trim(), given_name: user.firstName, family_name: user.lastName });
    }
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    response.end(JSON.stringify(claims));
  };
}
