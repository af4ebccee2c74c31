import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationRequest, createClient, discover, PageBrowser, REDIRECT_URI, signInAndGrant } from '../../test/support/oidc.ts';
import { accountWithRole, registration, startTestServer, type TestServer } from '../../test/support/server.ts';

const LOGGED_OUT_URI = 'http://localhost:7777/logged-out';

let server: TestServer;
let adminToken: string;
/** A client of users' logins, with a post-logout redirect URI. */
let config: client.Configuration;
let clientId: string;
/** Another client: a machine's (client_credentials). */
let other: client.Configuration;
let otherId: string;

beforeAll(async () => {
  server = await startTestServer();
  adminToken = (await accountWithRole(server, 'admin')).token;
  const credentials = await createClient(server, adminToken, {
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'offline_access', 'roles:read'],
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: [LOGGED_OUT_URI],
  });
  clientId = credentials.clientId;
  config = await discover(server, credentials);
  const machine = await createClient(server, adminToken, { grantTypes: ['client_credentials'], scopes: ['roles:read'] });
  otherId = machine.clientId;
  other = await discover(server, machine);
});
afterAll(() => server?.close());

async function adminAccount(): Promise<{ id: string; email: string; password: string }> {
  const input = registration({ role: 'admin' });
  const user = await server.running.services.accounts.createAccount(input);
  return { id: user.id, email: input.email, password: input.password };
}

/** Signs a new account in through the pages and exchanges the code. */
async function signIn(scope: string, browser = new PageBrowser()) {
  const account = await adminAccount();
  const { url, checks } = await authorizationRequest(config, scope, scope.includes('offline_access') ? { prompt: 'consent' } : {});
  const tokens = await client.authorizationCodeGrant(config, await signInAndGrant(browser, url, account, server.url), checks);
  return { account, tokens, browser };
}

async function graphqlCode(token: string): Promise<unknown> {
  return (await server.graphql('{ roles { name } }', { token })).body.errors?.[0]?.extensions?.code;
}

describe('introspection (RFC 7662)', () => {
  it('answers a live access token and refresh token with active, scope, client_id and sub', async () => {
    const { account, tokens } = await signIn('openid offline_access roles:read');
    for (const token of [tokens.access_token, tokens.refresh_token!]) {
      const answer = await client.tokenIntrospection(config, token);
      expect(answer).toMatchObject({ active: true, client_id: clientId, sub: account.id });
      expect(answer.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'offline_access', 'roles:read']));
    }
    expect((await client.tokenIntrospection(config, tokens.access_token)).token_type).toBe('Bearer');
  });

  it('answers a client-credentials token for its client, with the client as subject', async () => {
    const tokens = await client.clientCredentialsGrant(other, { scope: 'roles:read' });
    expect(await client.tokenIntrospection(other, tokens.access_token)).toMatchObject({ active: true, client_id: otherId, sub: otherId, scope: 'roles:read' });
  });

  it("answers active: false to a client asking about another client's tokens", async () => {
    const { tokens } = await signIn('openid offline_access roles:read');
    expect(await client.tokenIntrospection(other, tokens.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(other, tokens.refresh_token!)).toEqual({ active: false });
    const machine = await client.clientCredentialsGrant(other, { scope: 'roles:read' });
    expect(await client.tokenIntrospection(config, machine.access_token)).toEqual({ active: false });
  });

  it('answers active: false once the grant is revoked, and once Janus ends the session (logoutAll)', async () => {
    const revoked = await signIn('openid offline_access roles:read');
    await client.tokenRevocation(config, revoked.tokens.refresh_token!);
    expect(await client.tokenIntrospection(config, revoked.tokens.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(config, revoked.tokens.refresh_token!)).toEqual({ active: false });

    // The user ends every session through Janus's own API: the provider's records still exist, introspection agrees with Janus.
    const { tokens } = await signIn('openid offline_access roles:read');
    expect((await server.graphql('mutation { logoutAll }', { token: tokens.access_token })).body.errors).toBeUndefined();
    expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(config, tokens.refresh_token!)).toEqual({ active: false });
  });

  it('answers active: false to a forged or foreign JWT, a bare jti and a login token, and refuses an unauthenticated client', async () => {
    const { tokens } = await signIn('openid roles:read');
    const [header, payload] = tokens.access_token.split('.');
    expect(await client.tokenIntrospection(config, `${header}.${payload}.${'A'.repeat(86)}`)).toEqual({ active: false });
    const jti = (JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { jti: string }).jti;
    expect(await client.tokenIntrospection(config, jti)).toEqual({ active: false });
    // A token of Janus's own login was issued to no client.
    expect(await client.tokenIntrospection(config, adminToken)).toEqual({ active: false });

    const anonymous = await fetch(`${server.url}/oauth/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.access_token }).toString(),
    });
    expect(anonymous.status).toBe(400);
    expect(await anonymous.json()).toMatchObject({ error: 'invalid_request', error_description: 'no client authentication mechanism provided' });
  });
});

describe('RP-initiated logout', () => {
  it('confirms on a page without script, ends the provider session and the grant, and sends the browser to the registered URI', async () => {
    const { tokens, browser, account } = await signIn('openid roles:read');
    const state = client.randomState();
    const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGGED_OUT_URI, state });

    const confirm = (await browser.visit(url, server.url)).page!;
    expect(confirm.status).toBe(200);
    expect(confirm.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(confirm.headers.get('x-frame-options')).toBe('DENY');
    const html = await confirm.text();
    expect(html).not.toContain('<script');
    expect(html).toMatch(/<form id="op.logoutForm" method="post" action="[^"]*\/oauth\/session\/end\/confirm"><input type="hidden" name="xsrf"/);

    // The form's token is bound to the browser's session: a forged post changes nothing.
    const forged = await browser.submit(html.replace(/name="xsrf" value="[^"]+"/, 'name="xsrf" value="forged"'), 'confirm', { logout: 'yes' }, server.url);
    expect(forged.page!.status).toBe(400);
    expect(await graphqlCode(tokens.access_token)).toBeUndefined();

    const back = await browser.submit(html, 'confirm', { logout: 'yes' }, server.url);
    expect(back.redirect?.href).toBe(`${LOGGED_OUT_URI}?state=${state}`);
    // The grant (no offline_access) is revoked with its Janus session: the access token stops at once.
    expect(await graphqlCode(tokens.access_token)).toBe('UNAUTHENTICATED');
    // The browser is signed out of the provider: a new authorization asks for the password again.
    const again = await authorizationRequest(config, 'openid');
    expect(await (await browser.visit(again.url, server.url)).page!.text()).toContain('name="password"');
    expect(account.id).toBeTruthy();
  });

  it('keeps a grant with offline_access: its refresh token outlives the browser session', async () => {
    const { tokens, browser } = await signIn('openid offline_access roles:read');
    const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGGED_OUT_URI });
    const back = await browser.submit(await (await browser.visit(url, server.url)).page!.text(), 'confirm', { logout: 'yes' }, server.url);
    expect(back.redirect?.href).toBe(LOGGED_OUT_URI);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(await graphqlCode(refreshed.access_token)).toBeUndefined();
  });

  it('refuses a post_logout_redirect_uri the client did not register, without redirecting to it', async () => {
    const { tokens, browser } = await signIn('openid roles:read');
    const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://localhost:7777/elsewhere' });
    const refused = await browser.fetch(url);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();
    expect(await refused.text()).toContain('post_logout_redirect_uri not registered');
  });

  it('shows a browser that is signed out already a page without script that goes on to the client', async () => {
    const { tokens } = await signIn('openid roles:read');
    const browser = new PageBrowser();
    const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGGED_OUT_URI });
    const page = (await browser.visit(url, server.url)).page!;
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).not.toContain('<script');
    expect(html).toContain('You are signed out');
    const back = await browser.submit(html, 'confirm', { logout: 'yes' }, server.url);
    expect(back.redirect?.href).toBe(LOGGED_OUT_URI);
    // Another browser's logout ends nothing of this login.
    expect(await graphqlCode(tokens.access_token)).toBeUndefined();
  });
});

describe('post-logout redirect URIs of a client', () => {
  it('are listed with the client, and follow the redirect URIs\' rules', async () => {
    const listed = await server.rest<{ clientId: string; postLogoutRedirectUris: string[] }[]>('GET', '/oauth-clients', { token: adminToken });
    expect(listed.body.find((entry) => entry.clientId === clientId)?.postLogoutRedirectUris).toEqual([LOGGED_OUT_URI]);
    expect(listed.body.find((entry) => entry.clientId === otherId)?.postLogoutRedirectUris).toEqual([]);
    for (const bad of [
      { grantTypes: ['authorization_code'], redirectUris: [REDIRECT_URI], postLogoutRedirectUris: ['http://example.com/bye'] },
      { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [LOGGED_OUT_URI] },
    ]) {
      const answer = await server.rest<{ errors: { extensions: { code: string } }[] }>('POST', '/create-oauth-client', {
        token: adminToken,
        body: { name: 'x', scopes: ['roles:read'], ...bad },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    }
  });
});
