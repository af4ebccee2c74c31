import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { JWK } from 'jose';
import { timingSafeEqual } from 'node:crypto';
import Provider, { errors, type Account, type KoaContextWithOIDC, type Token } from 'oidc-provider';
import { shapedClaims, type ClaimShape } from '../auth/claim-shapes.ts';
import type { AccessClaims } from '../auth/jwt.ts';
import type { SigningKey } from '../auth/keys.ts';
import { Session } from '../tokens/session.entity.ts';
import { User } from '../accounts/user.entity.ts';
import { hashOpaqueSecret } from '../shared/opaque-secret.ts';
import { isUuid } from '../shared/uuid.ts';
import { createAdapterClass } from './adapter.ts';
import type { IntrospectedAccessToken } from './introspection.ts';
import { escapeHtml, PAGE_HEADERS, renderErrorPage, renderLoggedOutPage, renderLogoutPage } from './pages.ts';
import { OIDC_SCOPES, scopeList } from './scopes.ts';

/** Where the provider's own routes live: everything under this prefix, plus discovery. */
export const OAUTH_PREFIX = '/oauth';
export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const INTERACTION_PREFIX = `${OAUTH_PREFIX}/interaction/`;
export const USERINFO_PATH = `${OAUTH_PREFIX}/me`;
export const INTROSPECTION_PATH = `${OAUTH_PREFIX}/token/introspection`;


export interface OpenIdProviderOptions {
  /** JANUS_PUBLIC_URL, or the listening address: the issuer of ID tokens. */
  issuer: string;
  orm: MikroORM;
  /** Janus's access-token key: the OAuth access tokens are Janus access tokens. */
  accessTokenKey: SigningKey;
  /** The key ring's RS256 key: it signs ID tokens. */
  idTokenKey: SigningKey;
  /** Janus's access-token issuer, audience and extra claim sets (JANUS_JWT_ISSUER, JANUS_JWT_AUDIENCE, JANUS_JWT_CLAIMS). */
  jwt: { issuer: string; audience: string; accessTokenTtlSeconds: number; claimShapes: readonly ClaimShape[] };
  /** A login's Janus session lives this long (its refresh token's lifetime, JANUS_REFRESH_TOKEN_TTL). */
  sessionTtlSeconds: number;
  /** Every permission a module declares: each is a scope. */
  permissions: readonly string[];
  /** Keys of the provider's cookies (they sign them): the same on every instance. */
  cookieKeys: string[];
  /** CORS: whether a browser origin may call the token endpoints (Janus's allow-list). */
  allowsOrigin(origin: string): boolean;
  /** The Janus session of a revoked grant is revoked with it (its access tokens stop at once). */
  onGrantRevoked(grantId: string): Promise<void>;
  /** Janus's introspection answer about the access token (a JWT) of this request, for this client (introspection.ts). */
  introspectedAccessToken(request: IncomingMessage, clientId: string): IntrospectedAccessToken | undefined;
  onServerError(error: Error): void;
}

/** The one private JWK of a key, for oidc-provider's key store (it signs with what it holds). */
function privateJwkOf(key: KeyObject, kid: string, alg: string): JWK {
  return { ...(key.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' };
}

const epoch = (date: Date): number => Math.floor(date.getTime() / 1000);

/** The live Janus session behind a grant (a grant's id is the id of the session its login opened). */
async function sessionOfGrant(orm: MikroORM, grantId: string | undefined): Promise<Session | null> {
  if (!grantId || !isUuid(grantId)) return null;
  return orm.em.fork().findOne(Session, { id: grantId, revokedAt: null }, { populate: ['user.role'] });
}

/**
 * oidc-provider configured for Janus: authorization code with PKCE (S256, every client), refresh
 * tokens with rotation, client credentials; revocation, introspection, RP-initiated logout; no
 * implicit flow, no dynamic registration, no device flow. Access tokens are Janus access tokens
 * (JWT, Janus's key, issuer and audience, `scope` limiting the user's permissions); ID tokens are
 * RS256. Userinfo is answered by Janus itself from such an access token (userinfo.ts).
 */
export function createOpenIdProvider(options: OpenIdProviderOptions): Provider {
  const { orm, accessTokenKey, jwt } = options;
  const resource = options.issuer;
  const scopes = [...OIDC_SCOPES, ...options.permissions];
  const accessTokenSign =
    accessTokenKey.alg === 'HS256'
      ? { alg: 'HS256', key: accessTokenKey.signingKey, kid: accessTokenKey.kid }
      : { alg: accessTokenKey.alg, kid: accessTokenKey.kid };
  const keys = [privateJwkOf(options.idTokenKey.signingKey, options.idTokenKey.kid, 'RS256')];
  // With JANUS_JWT_ALG=RS256 they are one key; an HS256 secret is handed to the resource server instead.
  if (accessTokenKey.alg !== 'HS256' && accessTokenKey.kid !== options.idTokenKey.kid) {
    keys.push(privateJwkOf(accessTokenKey.signingKey, accessTokenKey.kid, accessTokenKey.alg));
  }

  const provider = new Provider(options.issuer, {
    adapter: createAdapterClass(orm, options.onGrantRevoked),
    jwks: { keys },
    cookies: { keys: options.cookieKeys },
    routes: {
      authorization: `${OAUTH_PREFIX}/auth`,
      token: `${OAUTH_PREFIX}/token`,
      revocation: `${OAUTH_PREFIX}/token/revocation`,
      introspection: INTROSPECTION_PATH,
      end_session: `${OAUTH_PREFIX}/session/end`,
      userinfo: USERINFO_PATH,
      // Janus's own key set, served by the edge: one JWKS for access and ID tokens.
      jwks: '/.well-known/jwks.json',
      code_verification: `${OAUTH_PREFIX}/device`,
      device_authorization: `${OAUTH_PREFIX}/device/auth`,
      pushed_authorization_request: `${OAUTH_PREFIX}/request`,
      registration: `${OAUTH_PREFIX}/reg`,
      backchannel_authentication: `${OAUTH_PREFIX}/backchannel`,
      challenge: `${OAUTH_PREFIX}/challenge`,
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${INTERACTION_PREFIX}${interaction.uid}` },
    scopes,
    claims: {
      // With the login's proof (amr/acr: pwd, or pwd+otp) and time in every ID token.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      sid: null,
      iss: null,
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    acrValues: ['pwd', 'pwd+otp'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    features: {
      devInteractions: { enabled: false },
      // Answered by Janus from its own access token (userinfo.ts): oidc-provider's accepts only
      // tokens without an audience, and every token here is for Janus.
      userinfo: { enabled: false },
      revocation: { enabled: true },
      introspection: {
        enabled: true,
        // Stricter than oidc-provider's default (any confidential client may introspect any token):
        // a client learns only about its own tokens. The provider holds only refresh tokens (access
        // tokens are JWTs, answered by Janus below), live as long as their grant's Janus session
        // (logoutAll, revokeSession, a password change end it).
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: Token) =>
          token.clientId === client.clientId && (await sessionOfGrant(orm, token.grantId)) !== null,
      },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: logoutPage, postLogoutSuccessSource: loggedOutPage },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string, client: { scope?: string }) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return {
            scope: client.scope ?? '',
            audience: jwt.audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: jwt.accessTokenTtlSeconds,
            jwt: { sign: accessTokenSign },
          };
        },
      },
    },
    discovery: { userinfo_endpoint: `${options.issuer}${USERINFO_PATH}` },
    ttl: {
      AccessToken: jwt.accessTokenTtlSeconds,
      ClientCredentials: jwt.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: jwt.accessTokenTtlSeconds,
      Interaction: 600,
      Session: options.sessionTtlSeconds,
      Grant: options.sessionTtlSeconds,
      // Never past the login's Janus session: every rotation keeps the first one's end.
      RefreshToken: (_ctx: unknown, token: Token) => {
        const started = token.iiat ?? token.iat ?? Math.floor(Date.now() / 1000);
        return Math.max(1, started + options.sessionTtlSeconds - Math.floor(Date.now() / 1000));
      },
    },
    rotateRefreshToken: true,
    // Revoking a token of a grant (its refresh token: JWT access tokens are not revocable here)
    // revokes the grant and its Janus session.
    revokeGrantPolicy: () => true,
    // A grant whose Janus session ended (logout everywhere, a revoked session) asks again.
    loadExistingGrant: async (
      ctx: KoaContextWithOIDC & { oidc: { result?: { consent?: { grantId?: string } }; session: { grantIdFor(clientId: string): string | undefined } } },
    ) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client!.clientId);
      if (!(await sessionOfGrant(orm, grantId))) return undefined;
      return provider.Grant.find(grantId!);
    },
    findAccount: async (_ctx: unknown, sub: string): Promise<Account | undefined> => {
      const user = await orm.em.fork().findOne(User, { id: sub });
      if (!user || user.disabled) return undefined;
      return {
        accountId: user.id,
        claims: () => ({
          sub: user.id,
          email: user.email,
          email_verified: user.emailVerified,
          name: `${user.firstName} ${user.lastName}`.trim(),
          given_name: user.firstName,
          family_name: user.lastName,
        }),
      };
    },
    // What makes an OAuth access token a Janus one: the session, token version, role and the
    // permissions the scopes grant, as a login's token carries them (src/auth/jwt.ts).
    extraTokenClaims: async (_ctx: unknown, token: Token) => {
      if (token.kind !== 'AccessToken') return undefined;
      const session = await sessionOfGrant(orm, token.grantId);
      if (!session || session.user.id !== token.accountId) return undefined;
      const granted = new Set(scopeList(token.scope));
      const claims: AccessClaims = {
        sub: session.user.id,
        sid: session.id,
        ver: session.user.tokenVersion,
        role: session.user.role.name,
        perms: session.user.role.permissions.filter((permission) => granted.has(permission)),
        amr: session.amr,
        auth_time: epoch(session.createdAt),
      };
      // The claim sets other verifiers want (JANUS_JWT_CLAIMS), shaped where a login's token is.
      return { ...shapedClaims(jwt.claimShapes, claims), ...claims };
    },
    formats: {
      customizers: {
        jwt: (_ctx: unknown, _token: Token, structured: { payload: Record<string, unknown> }) => {
          structured.payload.iss = jwt.issuer;
          structured.payload.aud = jwt.audience;
        },
      },
    },
    clientBasedCORS: (_ctx: unknown, origin: string) => options.allowsOrigin(origin),
    renderError: (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) => {
      sendPage(ctx, renderErrorPage(out.error, out.error_description));
    },
  });
  provider.proxy = true;
  // Secrets are stored as SHA-256 digests (shown once at creation): the presented one is compared as such.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientSecret?: string }, actual: string): boolean {
    const stored = Buffer.from(this.clientSecret ?? '');
    const presented = Buffer.from(hashOpaqueSecret(actual));
    return stored.length === presented.length && timingSafeEqual(stored, presented);
  };
  provider.on('server_error', (_ctx, error) => options.onServerError(error));
  provider.use(async (ctx, next) => {
    await next();
    const { oidc } = ctx;
    // Introspection of a JWT access token: the provider authenticated the client and found no such
    // token; Janus's answer, if the token is live and the client's (introspection.ts).
    if (oidc?.route === 'introspection' && ctx.status === 200 && oidc.client) {
      const answer = options.introspectedAccessToken(ctx.req, oidc.client.clientId);
      if (answer) ctx.body = answer;
      return;
    }
    // Logout without a signed-in session: oidc-provider answers with a form that submits itself by
    // script, which Janus's pages never run. The same confirmation page, with a button, instead.
    if (oidc?.route === 'end_session' && ctx.status === 200 && !oidc.session?.accountId && oidc.session?.state?.secret) {
      const form = `<form id="op.logoutForm" method="post" action="${escapeHtml(oidc.urlFor('end_session_confirm'))}"><input type="hidden" name="xsrf" value="${escapeHtml(oidc.session.state.secret)}"></form>`;
      sendPage(ctx, renderLogoutPage(form, { signedIn: false }));
    }
  });
  return provider;
}

/** Sends one of the pages with their headers (strict CSP, never framed). */
function sendPage(ctx: Pick<KoaContextWithOIDC, 'set' | 'body'>, html: string): void {
  ctx.set(PAGE_HEADERS);
  ctx.body = html;
}

function logoutPage(ctx: KoaContextWithOIDC, form: string): void {
  sendPage(ctx, renderLogoutPage(form, { signedIn: true }));
}

function loggedOutPage(ctx: KoaContextWithOIDC): void {
  sendPage(ctx, renderLoggedOutPage());
}
