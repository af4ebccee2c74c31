import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationRequest, createClient, discover, PageBrowser, REDIRECT_URI, signInAndGrant } from '../../test/support/oidc.ts';
import { adminCalls } from '../../test/support/admin-calls.ts';
import { HASURA_CLAIMS } from '../auth/claim-shapes.ts';
import { accountWithRole, confirmAddress, registration, startTestServer, type TestServer } from '../../test/support/server.ts';
import { perform, SURFACES } from '../../test/support/surfaces.ts';

let server: TestServer;
let admin: Awaited<ReturnType<typeof accountWithRole>>;
let adminToken: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = await accountWithRole(server, 'admin');
  adminToken = admin.token;
});
afterAll(() => server?.close());

/** A user with the admin role (it holds roles:read and users:read) and their password. */
async function adminAccount(): Promise<{ id: string; email: string; password: string }> {
  const input = registration({ role: 'admin' });
  const user = await server.running.services.accounts.createAccount(input);
  return { id: user.id, email: input.email, password: input.password };
}

/** The newest audit events, read as an admin on a surface. */
async function recentEvents(surface: (typeof SURFACES)[number]) {
  const outcome = await perform(server, surface, adminCalls.auditEvents(50), adminToken);
  return outcome.data!.edges.map((edge) => edge.node);
}

async function graphql(token: string, query: string) {
  return (await server.graphql(query, { token })).body;
}

describe('the OpenID Provider', () => {
  let credentials: { clientId: string; clientSecret: string };
  let config: client.Configuration;

  beforeAll(async () => {
    credentials = await createClient(server, adminToken, {
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile', 'email', 'offline_access', 'roles:read'],
      redirectUris: [REDIRECT_URI],
    });
    config = await discover(server, credentials);
  });

  it('publishes discovery with Janus as issuer, its one JWKS, S256 only and no implicit flow or registration', () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(server.url);
    expect(metadata.jwks_uri).toBe(`${server.url}/.well-known/jwks.json`);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.registration_endpoint).toBeUndefined();
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect(metadata.userinfo_endpoint).toBe(`${server.url}/oauth/me`);
  });

  it('runs authorization code + PKCE through the pages: RS256 ID token, userinfo, a Janus token within its scopes, refresh, revoke', async () => {
    const account = await adminAccount();
    const browser = new PageBrowser();
    const { url, checks } = await authorizationRequest(config, 'openid profile email offline_access roles:read', { prompt: 'consent' });
    const callback = await signInAndGrant(browser, url, account, server.url);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect((await recentEvents('graphql')).find((event) => event.event === 'oauth.consent' && event.userId === account.id)).toBeDefined();

    const tokens = await client.authorizationCodeGrant(config, callback, { ...checks, idTokenExpected: true });
    // The ID token: RS256, signed by a key of Janus's one JWKS, for this client, with the login's amr/acr.
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    const { payload: idToken } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), {
      issuer: server.url,
      audience: credentials.clientId,
    });
    expect(idToken).toMatchObject({ sub: account.id, email: account.email, amr: ['pwd'], acr: 'pwd' });

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, account.id);
    expect(userinfo).toMatchObject({ sub: account.id, email: account.email, email_verified: false, given_name: 'Ada', family_name: 'Lovelace' });

    // The access token is a Janus token limited to its scopes: roles:read yes, users:read no (the role has both).
    const roles = await graphql(tokens.access_token, '{ roles { name } }');
    expect(roles.errors).toBeUndefined();
    expect((await graphql(tokens.access_token, '{ users { edges { node { id } } } }')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await graphql(tokens.access_token, '{ me { id } }')).errors).toBeUndefined();
    expect((await server.rest('GET', '/roles', { token: tokens.access_token })).status).toBe(200);
    expect((await server.rest('GET', '/users', { token: tokens.access_token })).status).toBe(403);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await graphql(refreshed.access_token, '{ roles { name } }')).errors).toBeUndefined();

    // Revoking the refresh token revokes the grant, and its Janus session: the access token stops at once.
    await client.tokenRevocation(config, refreshed.refresh_token!);
    expect((await graphql(refreshed.access_token, '{ roles { name } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await expect(client.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a redirect_uri the client did not register, without redirecting to it', async () => {
    const { url } = await authorizationRequest(config, 'openid', { redirect_uri: 'http://localhost:7777/elsewhere' });
    const response = await new PageBrowser().fetch(url);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('redirect_uri');
  });

  it('refuses a missing or wrong PKCE verifier and a code used twice', async () => {
    const account = await adminAccount();
    const browser = new PageBrowser();
    const first = await authorizationRequest(config, 'openid roles:read');
    const callback = await signInAndGrant(browser, first.url, account, server.url);
    const { pkceCodeVerifier: _omitted, ...withoutVerifier } = first.checks;
    await expect(client.authorizationCodeGrant(config, callback, withoutVerifier)).rejects.toMatchObject({ error: 'invalid_grant' });

    // The same browser is signed in and the grant exists: the next codes come without the pages.
    const second = await authorizationRequest(config, 'openid roles:read');
    const secondCallback = (await browser.visit(second.url, server.url)).redirect!;
    await expect(
      client.authorizationCodeGrant(config, secondCallback, { ...second.checks, pkceCodeVerifier: client.randomPKCECodeVerifier() }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });

    const third = await authorizationRequest(config, 'openid roles:read');
    const thirdCallback = (await browser.visit(third.url, server.url)).redirect!;
    await client.authorizationCodeGrant(config, thirdCallback, third.checks);
    await expect(client.authorizationCodeGrant(config, thirdCallback, third.checks)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('asks an account with a second factor for its code, and the tokens say so (amr pwd+otp)', async () => {
    const { accounts, mfa } = server.running.services;
    const account = await adminAccount();
    await confirmAddress(server, account.id);
    const { secret } = await mfa.enrollTotp(account.id);
    const recoveryCodes = await mfa.confirmTotp(account.id, randomUUID(), TOTP.generate({ secret: Secret.fromBase32(secret) }));
    expect(accounts).toBeDefined();

    const browser = new PageBrowser();
    const { url, checks } = await authorizationRequest(config, 'openid roles:read');
    const login = await browser.visit(url, server.url);
    const codeStep = await browser.submit(await login.page!.text(), 'login', { email: account.email, password: account.password }, server.url);
    const codeHtml = await codeStep.page!.text();
    expect(codeHtml).toContain('name="code"');
    const wrong = await browser.submit(codeHtml, 'code', { code: '000000' }, server.url);
    expect(wrong.page!.status).toBe(400);
    const wrongHtml = await wrong.page!.text();
    expect(wrongHtml).toContain('The code is wrong');
    const consent = await browser.submit(wrongHtml, 'code', { code: recoveryCodes[0]! }, server.url);
    const callback = (await browser.submit(await consent.page!.text(), 'consent', {}, server.url)).redirect!;
    const tokens = await client.authorizationCodeGrant(config, callback, checks);
    expect(tokens.claims()).toMatchObject({ amr: ['pwd', 'otp'], acr: 'pwd+otp' });
    expect((await graphql(tokens.access_token, '{ roles { name } }')).errors).toBeUndefined();
  });

  it('refuses a disabled account on the login page, and a wrong password without saying whether the email exists', async () => {
    const account = await adminAccount();
    await server.running.database.orm.em.getConnection().execute('update users set disabled = true where id = ?', [account.id]);
    const browser = new PageBrowser();
    const { url } = await authorizationRequest(config, 'openid');
    const loginHtml = await (await browser.visit(url, server.url)).page!.text();
    const disabled = await browser.submit(loginHtml, 'login', { email: account.email, password: account.password }, server.url);
    expect(disabled.page!.status).toBe(400);
    const disabledHtml = await disabled.page!.text();
    expect(disabledHtml).toContain('This account is disabled');
    const unknown = await browser.submit(disabledHtml, 'login', { email: `nobody-${randomUUID()}@example.com`, password: 'whatever it is' }, server.url);
    const unknownHtml = await unknown.page!.text();
    const wrongPassword = await browser.submit(unknownHtml, 'login', { email: account.email.replace('@', '+x@'), password: 'wrong password' }, server.url);
    expect(unknownHtml).toContain('Invalid email or password');
    expect(await wrongPassword.page!.text()).toContain('Invalid email or password');
  });

  it('refuses a form post without the interaction\'s CSRF token', async () => {
    const browser = new PageBrowser();
    const { url } = await authorizationRequest(config, 'openid');
    const page = await browser.visit(url, server.url);
    expect(page.page!.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.page!.headers.get('x-frame-options')).toBe('DENY');
    const html = (await page.page!.text()).replace(/name="csrf" value="[^"]+"/, 'name="csrf" value="forged"');
    const refused = await browser.submit(html, 'login', { email: 'a@example.com', password: 'x' }, server.url);
    expect(refused.page!.status).toBe(400);
    expect(await refused.page!.text()).toContain('The form expired');
  });
});

describe('client_credentials', () => {
  it('gives a token with the client as subject that may call roles and nothing needing another permission or a user', async () => {
    const credentials = await createClient(server, adminToken, { grantTypes: ['client_credentials'], scopes: ['roles:read'] });
    const config = await discover(server, credentials);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'roles:read' });
    expect(tokens.scope).toBe('roles:read');
    expect((await graphql(tokens.access_token, '{ roles { name } }')).errors).toBeUndefined();
    expect((await server.rest('GET', '/roles', { token: tokens.access_token })).status).toBe(200);
    expect((await graphql(tokens.access_token, '{ users { edges { node { id } } } }')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const me = await graphql(tokens.access_token, '{ me { id } }');
    expect(me.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(me.errors?.[0]?.message).toContain("needs a user's access token");
    await expect(client.clientCredentialsGrant(config, { scope: 'users:read' })).rejects.toMatchObject({ error: 'invalid_scope' });
  });
});

describe('OAuth clients through the schema', () => {
  it('creates, lists and deletes clients; refuses bad input and callers without clients:write', async () => {
    const created = await createClient(server, adminToken, { grantTypes: ['client_credentials'], scopes: ['roles:read'] });
    const listed = await server.rest<{ clientId: string; grantTypes: string[] }[]>('GET', '/oauth-clients', { token: adminToken });
    expect(listed.body.find((entry) => entry.clientId === created.clientId)).toMatchObject({ grantTypes: ['client_credentials'] });
    expect(JSON.stringify(listed.body)).not.toContain(created.clientSecret);

    for (const bad of [
      { name: 'x', redirectUris: ['http://example.com/cb'], grantTypes: ['authorization_code'], scopes: ['openid'] },
      { name: 'x', redirectUris: [], grantTypes: ['implicit'], scopes: ['roles:read'] },
      { name: 'x', redirectUris: [], grantTypes: ['client_credentials'], scopes: ['no:such'] },
    ]) {
      const answer = await server.rest<{ errors: { extensions: { code: string } }[] }>('POST', '/create-oauth-client', { token: adminToken, body: bad });
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    }
    const user = await accountWithRole(server, 'user');
    expect((await server.rest('GET', '/oauth-clients', { token: user.token })).status).toBe(403);

    const deleted = await server.graphql<{ deleteOAuthClient: boolean }>('mutation ($id: ID!) { deleteOAuthClient(clientId: $id) }', {
      token: adminToken,
      variables: { id: created.clientId },
    });
    expect(deleted.body.data?.deleteOAuthClient).toBe(true);
    const again = await server.graphql('mutation ($id: ID!) { deleteOAuthClient(clientId: $id) }', { token: adminToken, variables: { id: created.clientId } });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it.each(SURFACES)('records creating and deleting a client in the audit trail, with the admin as actor (read on %s)', async (surface) => {
    const before = Number((await recentEvents(surface))[0]!.id);
    const created = await createClient(server, adminToken, { grantTypes: ['client_credentials'], scopes: ['roles:read'] });
    expect((await server.rest('POST', '/delete-oauth-client', { token: adminToken, body: { clientId: created.clientId } })).status).toBe(200);
    // A refused deletion (its transaction rolled back) records nothing.
    expect((await server.rest('POST', '/delete-oauth-client', { token: adminToken, body: { clientId: created.clientId } })).status).toBe(404);
    const events = (await recentEvents(surface)).filter((event) => Number(event.id) > before).reverse();
    expect(events.map((event) => [event.event, event.actorId, event.userId])).toEqual([
      ['oauth_client.create', admin.id, null],
      ['oauth_client.delete', admin.id, null],
    ]);
  });
});

describe('with a low login rate limit', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ JANUS_LOGIN_RATE_LIMIT: '2/300' });
  });
  afterAll(() => limited?.close());

  it("counts the login page's attempts with loginUser's: one rule, one set of counters", async () => {
    const admin = await accountWithRole(limited, 'admin');
    const credentials = await createClient(limited, admin.token, { grantTypes: ['authorization_code'], scopes: ['openid'], redirectUris: [REDIRECT_URI] });
    const config = await discover(limited, credentials);
    const browser = new PageBrowser();
    const { url } = await authorizationRequest(config, 'openid');
    let html = await (await browser.visit(url, limited.url)).page!.text();
    // accountWithRole's login was the first attempt from this address; the page makes the second.
    html = await (await browser.submit(html, 'login', { email: admin.email, password: 'wrong password' }, limited.url)).page!.text();
    expect(html).toContain('Invalid email or password');
    const refused = await browser.submit(html, 'login', { email: admin.email, password: 'wrong password' }, limited.url);
    expect(refused.page!.status).toBe(429);
    expect(refused.page!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.page!.text()).toContain('Too many attempts');
    expect((await limited.rest('POST', '/login-user', { body: { email: admin.email, password: 'wrong password' } })).status).toBe(429);
  });
});

describe('with JANUS_JWT_CLAIMS=hasura', () => {
  let shaped: TestServer;
  beforeAll(async () => {
    shaped = await startTestServer({ JANUS_JWT_CLAIMS: 'hasura' });
  });
  afterAll(() => shaped?.close());

  it("puts Hasura's claims in an OIDC client's access token as in a login's, and Janus still accepts it", async () => {
    const owner = await accountWithRole(shaped, 'admin');
    const credentials = await createClient(shaped, owner.token, { grantTypes: ['authorization_code'], scopes: ['openid', 'roles:read'], redirectUris: [REDIRECT_URI] });
    const config = await discover(shaped, credentials);
    const input = registration({ role: 'admin' });
    const user = await shaped.running.services.accounts.createAccount(input);
    const { url, checks } = await authorizationRequest(config, 'openid roles:read');
    const tokens = await client.authorizationCodeGrant(config, await signInAndGrant(new PageBrowser(), url, input, shaped.url), checks);
    const hasura = { 'x-hasura-allowed-roles': ['admin'], 'x-hasura-default-role': 'admin', 'x-hasura-user-id': user.id };
    expect(decodeJwt(tokens.access_token)[HASURA_CLAIMS]).toEqual(hasura);
    expect(decodeJwt(owner.token)[HASURA_CLAIMS]).toEqual({ ...hasura, 'x-hasura-user-id': owner.id });
    expect((await shaped.graphql('{ roles { name } }', { token: tokens.access_token })).body.errors).toBeUndefined();
  });
});
