import { ArcticFetchError, CodeChallengeMethod, OAuth2Client, OAuth2RequestError } from 'arctic';
import * as oidc from 'openid-client';
import { ServiceUnavailableError } from '../shared/errors.ts';
import { SignInFailedError } from './errors.ts';

/** One configured provider (JANUS_SIGN_IN_PROVIDERS), as src/config/config.ts validated it. */
export type SignInProviderSettings =
  | { kind: 'openid'; id: string; issuer: string; clientId: string; clientSecret: string; scopes: string[] }
  | {
      kind: 'github';
      id: 'github';
      clientId: string;
      clientSecret: string;
      /** A GitHub Enterprise Server (`https://github.example.com`); unset: github.com. */
      baseUrl: string | undefined;
    };

export interface SignInSettings {
  providers: SignInProviderSettings[];
  /** The only redirect URIs a client may name (JANUS_SIGN_IN_REDIRECT_URIS), compared exactly. */
  redirectUris: string[];
}

/** What a provider says about the account that signed in there. */
export interface ProviderIdentity {
  /** The provider's stable id of the account (`sub`; GitHub's numeric id), never the email. */
  subject: string;
  email: string | null;
  /** Only a provider's explicit assertion (`email_verified: true`; GitHub's `verified: true`) counts. */
  emailVerified: boolean;
  firstName: string | undefined;
  lastName: string | undefined;
}

/** What one sign-in binds together: made at start, kept server-side, checked at completion. */
export interface SignInChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

export interface SignInProviderClient {
  readonly id: string;
  authorizationUrl(checks: SignInChecks): Promise<URL>;
  /** Redeems the code: SIGN_IN_FAILED when the provider or the checks refuse it, SERVICE_UNAVAILABLE when it cannot be reached. */
  identityOf(code: string, checks: SignInChecks): Promise<ProviderIdentity>;
}

/** http is allowed only to this machine, and only outside production (config.ts enforces it). */
export function isLoopbackUrl(url: URL): boolean {
  return ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
}

const PROVIDER_TIMEOUT_MS = 10_000;

/** A failure to reach the provider (refused, reset, timed out), as opposed to an answer that refused. */
function isUnreachable(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ArcticFetchError || cause.name === 'TimeoutError' || cause.name === 'AbortError' || cause.message === 'fetch failed') return true;
  }
  return false;
}

/** Runs a step that talks to the provider: its refusals are SIGN_IN_FAILED, its absence SERVICE_UNAVAILABLE. */
async function atProvider<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof SignInFailedError) throw error;
    if (isUnreachable(error)) throw new ServiceUnavailableError('The identity provider cannot be reached; retry shortly');
    throw new SignInFailedError();
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/**
 * An OpenID provider, through openid-client: discovery at the issuer (once, retried after a
 * failure), PKCE S256, state, nonce and every ID token check are the library's.
 */
function openIdProvider(settings: Extract<SignInProviderSettings, { kind: 'openid' }>): SignInProviderClient {
  const issuer = new URL(settings.issuer);
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = (): Promise<oidc.Configuration> => {
    discovered ??= oidc
      .discovery(issuer, settings.clientId, settings.clientSecret, undefined, {
        // Only a loopback issuer gets here over http (config.ts): a provider the tests start.
        execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
        timeout: PROVIDER_TIMEOUT_MS / 1000,
      })
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };
  return {
    id: settings.id,
    async authorizationUrl({ state, nonce, codeVerifier, redirectUri }) {
      const config = await atProvider(configuration);
      return oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: settings.scopes.join(' '),
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      });
    },
    identityOf(code, { state, nonce, codeVerifier, redirectUri }) {
      return atProvider(async () => {
        const config = await configuration();
        // The callback as the browser reached it. The client passes code and state only; the
        // issuer (RFC 9207) is the one this state was made for, checked server-side already.
        const callback = new URL(redirectUri);
        callback.searchParams.set('code', code);
        callback.searchParams.set('state', state);
        if (config.serverMetadata().authorization_response_iss_parameter_supported) callback.searchParams.set('iss', config.serverMetadata().issuer);
        const tokens = await oidc.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: codeVerifier,
          expectedState: state,
          expectedNonce: nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims) throw new SignInFailedError();
        // Many providers put email claims in the ID token only when no access token can fetch them.
        const info = claims.email === undefined && config.serverMetadata().userinfo_endpoint
          ? await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)
          : claims;
        return {
          subject: claims.sub,
          email: text(info.email) ?? null,
          emailVerified: info.email_verified === true,
          firstName: text(info.given_name) ?? text(info.name),
          lastName: text(info.family_name),
        };
      });
    },
  };
}

interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * GitHub, OAuth 2.0 only (no ID token), through arctic's OAuth2Client with PKCE: arctic's own
 * `GitHub` class fixes github.com's endpoints, which a GitHub Enterprise Server (and a test) must
 * replace. The account is GitHub's numeric user id; the email is the primary one if verified, else
 * another verified one (GET /user/emails, which the `user:email` scope allows), never an unverified one.
 */
function gitHubProvider(settings: Extract<SignInProviderSettings, { kind: 'github' }>): SignInProviderClient {
  const web = settings.baseUrl ?? 'https://github.com';
  const api = settings.baseUrl ? `${settings.baseUrl}/api/v3` : 'https://api.github.com';
  const client = (redirectUri: string) => new OAuth2Client(settings.clientId, settings.clientSecret, redirectUri);
  const get = async <T>(path: string, accessToken: string): Promise<T> => {
    const response = await fetch(`${api}${path}`, {
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'janus',
      },
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
    if (!response.ok) throw new SignInFailedError();
    return (await response.json()) as T;
  };
  return {
    id: settings.id,
    async authorizationUrl({ state, codeVerifier, redirectUri }) {
      return client(redirectUri).createAuthorizationURLWithPKCE(`${web}/login/oauth/authorize`, state, CodeChallengeMethod.S256, codeVerifier, [
        'read:user',
        'user:email',
      ]);
    },
    identityOf(code, { codeVerifier, redirectUri }) {
      return atProvider(async () => {
        let accessToken: string;
        try {
          accessToken = (await client(redirectUri).validateAuthorizationCode(`${web}/login/oauth/access_token`, code, codeVerifier)).accessToken();
        } catch (error) {
          // GitHub's refusal of the code (bad_verification_code, …): nothing the client can retry.
          if (error instanceof OAuth2RequestError) throw new SignInFailedError();
          throw error;
        }
        const [user, emails] = await Promise.all([
          get<{ id: number; name: string | null; login: string }>('/user', accessToken),
          get<GitHubEmail[]>('/user/emails', accessToken),
        ]);
        if (typeof user.id !== 'number' || !Array.isArray(emails)) throw new SignInFailedError();
        const verified = emails.filter((entry) => entry.verified === true).sort((a, b) => Number(b.primary) - Number(a.primary));
        return {
          subject: String(user.id),
          email: verified[0]?.email ?? null,
          emailVerified: verified.length > 0,
          firstName: text(user.name) ?? text(user.login),
          lastName: undefined,
        };
      });
    },
  };
}

/** The clients of the configured providers, by id. */
export function createProviderClients(settings: SignInSettings): Map<string, SignInProviderClient> {
  return new Map(
    settings.providers.map((provider) => [provider.id, provider.kind === 'github' ? gitHubProvider(provider) : openIdProvider(provider)]),
  );
}
