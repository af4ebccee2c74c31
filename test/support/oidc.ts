import * as client from 'openid-client';
import type { TestServer } from './server.ts';

export const REDIRECT_URI = 'http://localhost:7777/callback';

/** A browser as far as the sign-in pages need one: a cookie jar, following redirects by hand. */
export class PageBrowser {
  private readonly cookies = new Map<string, string>();

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index);
      const value = pair!.slice(index + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects within Janus; stops at a page, or at a redirect to the client (answered with its URL). */
  async visit(start: string | URL, origin: string): Promise<{ page?: Response; redirect?: URL }> {
    let url = new URL(start);
    if (url.origin !== origin) return { redirect: url };
    let response = await this.fetch(url);
    for (let hops = 0; hops < 10; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { page: response };
      url = new URL(location, url);
      if (url.origin !== origin) return { redirect: url };
      response = await this.fetch(url);
    }
    throw new Error('too many redirects');
  }

  /**
   * Posts a page's form (found by its action's last path step) with the given fields and its CSRF
   * token (Janus's pages' `csrf`, oidc-provider's logout form's `xsrf`).
   */
  async submit(html: string, step: string, fields: Record<string, string>, origin: string): Promise<{ page?: Response; redirect?: URL }> {
    const action = new RegExp(`action="([^"]*/${step})"`).exec(html)?.[1];
    const [, tokenName, token] = /name="(csrf|xsrf)" value="([^"]+)"/.exec(html) ?? [];
    if (!action || !tokenName || !token) throw new Error(`no ${step} form on the page`);
    const response = await this.fetch(new URL(action, origin), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, [tokenName]: token }).toString(),
    });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) return this.visit(new URL(location, origin), origin);
    return { page: response };
  }
}

/** Registers a client through the schema, as an admin does. */
export async function createClient(
  server: TestServer,
  adminToken: string,
  input: { grantTypes: string[]; scopes: string[]; redirectUris?: string[]; postLogoutRedirectUris?: string[] },
): Promise<{ clientId: string; clientSecret: string }> {
  const { body } = await server.graphql<{ createOAuthClient: { clientId: string; clientSecret: string } }>(
    `mutation ($name: String!, $uris: [String!]!, $grants: [String!]!, $scopes: [String!]!, $logoutUris: [String!]) {
      createOAuthClient(name: $name, redirectUris: $uris, grantTypes: $grants, scopes: $scopes, postLogoutRedirectUris: $logoutUris) { clientId clientSecret }
    }`,
    {
      token: adminToken,
      variables: { name: 'Test app', uris: input.redirectUris ?? [], grants: input.grantTypes, scopes: input.scopes, logoutUris: input.postLogoutRedirectUris },
    },
  );
  if (!body.data) throw new Error(`createOAuthClient failed: ${JSON.stringify(body.errors)}`);
  return body.data.createOAuthClient;
}

/** openid-client's view of Janus: discovery over plain HTTP on localhost. */
export function discover(server: TestServer, credentials: { clientId: string; clientSecret: string }): Promise<client.Configuration> {
  return client.discovery(new URL(server.url), credentials.clientId, undefined, client.ClientSecretBasic(credentials.clientSecret), {
    execute: [client.allowInsecureRequests],
  });
}

/** An authorization request with PKCE, state and nonce, and what the code exchange checks. */
export async function authorizationRequest(config: client.Configuration, scope: string, extra: Record<string, string> = {}) {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const checks = { pkceCodeVerifier, expectedState: client.randomState(), expectedNonce: client.randomNonce() };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
    ...extra,
  });
  return { url, checks };
}

/** Signs in and grants through Janus's pages; answers the redirect back to the client. */
export async function signInAndGrant(browser: PageBrowser, url: URL, account: { email: string; password: string }, origin: string): Promise<URL> {
  const loginHtml = await (await browser.visit(url, origin)).page!.text();
  if (!loginHtml.includes('name="email"')) throw new Error(`no login page: ${loginHtml}`);
  const consent = await browser.submit(loginHtml, 'login', { email: account.email, password: account.password }, origin);
  const consentHtml = await consent.page!.text();
  if (!consentHtml.includes('Allow access')) throw new Error(`no consent page: ${consentHtml}`);
  const back = await browser.submit(consentHtml, 'consent', {}, origin);
  if (!back.redirect) throw new Error(`no redirect to the client: ${back.page?.status} ${await back.page?.text()}`);
  return back.redirect;
}
