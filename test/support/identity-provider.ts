import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** An account at the test provider: the devInteractions login page takes its name as `login`. */
export interface ProviderAccount {
  email: string;
  emailVerified: boolean;
  givenName?: string;
  familyName?: string;
}

export interface TestIdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by login; a login not listed signs in as an account without an email. */
  accounts: Map<string, ProviderAccount>;
  stop(): Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider, panva's certified OP) on 127.0.0.1 with its development
 * login and consent pages, and one confidential client for Janus whose redirect URIs are `redirectUris`.
 */
export async function startTestIdentityProvider(redirectUris: string[]): Promise<TestIdentityProvider> {
  const accounts = new Map<string, ProviderAccount>();
  const clientId = 'janus';
  const clientSecret = 'janus-test-client-secret-of-some-length';
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris, grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name'] },
    cookies: { keys: ['test-provider-cookie-key'] },
    // Set, so that the provider does not print a notice for each default it falls back to.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    async findAccount(_ctx: unknown, id: string) {
      return {
        accountId: id,
        async claims() {
          const account = accounts.get(id);
          return account
            ? { sub: id, email: account.email, email_verified: account.emailVerified, given_name: account.givenName, family_name: account.familyName }
            : { sub: id };
        },
      };
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    stop: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}

/** The `name="…" value="…"` inputs and the action of the first form of a page (the provider's pages are simple). */
function formOf(html: string, base: URL): { action: URL; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form on the provider's page: ${html.slice(0, 200)}`);
  const fields: Record<string, string> = {};
  for (const [input] of html.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input)?.[1];
    if (name) fields[name] = /value="([^"]*)"/.exec(input)?.[1] ?? '';
  }
  return { action: new URL(action.replaceAll('&amp;', '&'), base), fields };
}

/**
 * What a browser does between Janus's authorizationUrl and the app's redirect URI: follows the
 * provider's redirects with its cookies, logs in as `login` on the login form, accepts the
 * consent form, and stops at the first redirect to `redirectUri`, answering its query (code, state).
 */
export async function signInAtProvider(authorizationUrl: string, redirectUri: string, login: string): Promise<URLSearchParams> {
  const cookies = new Map<string, string>();
  let request: { url: URL; method: 'GET' | 'POST'; body?: URLSearchParams } = { url: new URL(authorizationUrl), method: 'GET' };
  for (let step = 0; step < 20; step++) {
    const response = await fetch(request.url, {
      method: request.method,
      body: request.body,
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const location = response.headers.get('location');
    if (location) {
      await response.body?.cancel();
      const next = new URL(location, request.url);
      if (next.href.startsWith(redirectUri)) return next.searchParams;
      request = { url: next, method: 'GET' };
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`the provider answered ${response.status}: ${html.slice(0, 300)}`);
    const { action, fields } = formOf(html, request.url);
    if ('login' in fields) Object.assign(fields, { login, password: 'any password' });
    request = { url: action, method: 'POST', body: new URLSearchParams(fields) };
  }
  throw new Error('the provider never redirected back to the app');
}
