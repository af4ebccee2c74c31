import type { IncomingMessage } from 'node:http';
import { decodeProtectedHeader } from 'jose';
import type { TokenService } from '../tokens/service.ts';
import { readBody } from '../http/body.ts';

/** Stands for a JWT in the request the provider reads: no model of the provider holds it. */
const NOT_A_STORED_TOKEN = 'janus-access-token';

/** RFC 7662's answer about a live access token. */
export interface IntrospectedAccessToken {
  active: true;
  client_id: string;
  sub: string;
  scope: string;
  exp: number;
  jti: string;
  token_type: 'Bearer';
}

function isJwt(token: string): boolean {
  try {
    return Boolean(decodeProtectedHeader(token));
  } catch {
    return false;
  }
}

/**
 * Introspection (RFC 7662) of the access tokens Janus's OpenID Provider issues. They are JWTs,
 * which oidc-provider neither stores nor introspects (`unsupported_token_type`). So Janus reads
 * an introspection request before the provider: a JWT is checked as every request checks it
 * (signature, then the session, token version and account), and the provider gets a stand-in
 * that no model holds. The provider authenticates the client and answers `active: false`; for a
 * client asking about a live token issued to it, Janus's answer replaces that (provider.ts).
 */
export function createJwtIntrospection(deps: { tokens: Pick<TokenService, 'checkAccessToken' | 'principalOf'>; bodyLimitBytes: number }) {
  /** Per request whose token was a JWT: the answer for its client, or null when the token is not live. */
  const answers = new WeakMap<IncomingMessage, IntrospectedAccessToken | null>();

  async function answerFor(token: string): Promise<IntrospectedAccessToken | null> {
    const check = await deps.tokens.checkAccessToken(token);
    // A token of Janus's own login (no client_id) was issued to no client.
    if (check.status !== 'valid' || check.claims.client_id === undefined || check.claims.scope === undefined) return null;
    if (!(await deps.tokens.principalOf(check.claims))) return null;
    const { client_id, sub, scope, exp, jti } = check.claims;
    return { active: true, client_id, sub, scope, exp, jti, token_type: 'Bearer' };
  }

  return {
    /**
     * Reads an introspection request whose body is a form: a JWT `token` is replaced by the
     * stand-in. The body goes on already read, as oidc-provider accepts it (`request.body`).
     */
    async prepare(request: IncomingMessage): Promise<void> {
      if (request.method !== 'POST' || !request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return;
      const form = new URLSearchParams((await readBody(request, deps.bodyLimitBytes)).toString('utf8'));
      const tokens = form.getAll('token');
      // Repeated parameters are the provider's to refuse.
      if (tokens.length === 1 && isJwt(tokens[0]!)) {
        answers.set(request, await answerFor(tokens[0]!));
        form.set('token', NOT_A_STORED_TOKEN);
      }
      (request as IncomingMessage & { body?: string }).body = form.toString();
    },
    /** Janus's answer about the JWT of this request, for the client the provider authenticated: only its own tokens. */
    answerOf(request: IncomingMessage, clientId: string): IntrospectedAccessToken | undefined {
      const answer = answers.get(request);
      return answer?.client_id === clientId ? answer : undefined;
    },
  };
}
