import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationRequest, createClient, discover, PageBrowser, REDIRECT_URI } from '../../test/support/oidc.ts';
import { accountWithRole, startTestServer, type TestServer } from '../../test/support/server.ts';

// What a client can send the OpenID Provider by mistake (or on purpose): each answer is a 4xx, never a 5xx or a stack.
let server: TestServer;
let credentials: { clientId: string; clientSecret: string };
let basic: string;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

beforeAll(async () => {
  server = await startTestServer();
  const admin = await accountWithRole(server, 'admin');
  credentials = await createClient(server, admin.token, { grantTypes: ['authorization_code', 'refresh_token'], scopes: ['openid', 'roles:read'], redirectUris: [REDIRECT_URI] });
  basic = `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`;
});
afterAll(() => server?.close());

const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', redirect: 'manual', headers: { ...FORM, ...headers }, body, duplex: 'half' } as RequestInit);

/** A chunked body of `size` bytes: no declared length, so only reading it shows it is too large. */
function chunked(size: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode('a'.repeat(10_000));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

describe('a NUL character, which PostgreSQL cannot store', () => {
  it('in an authorization request parameter the provider keeps: invalid_request back to the client', async () => {
    const config = await discover(server, credentials);
    for (const parameter of ['nonce', 'state', 'login_hint', 'ui_locales', 'acr_values']) {
      const { url } = await authorizationRequest(config, 'openid', { [parameter]: 'a\u0000b' });
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status, parameter).toBe(303);
      const back = new URL(response.headers.get('location')!);
      expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
      expect(back.searchParams.get('error')).toBe('invalid_request');
    }
  });

  it('in a client id, a code, a refresh token or a token to introspect or revoke: the unknown thing it is', async () => {
    const authorization = await fetch(`${server.url}/oauth/auth?client_id=%00&response_type=code&scope=openid`);
    expect(authorization.status).toBe(400);
    expect(await authorization.text()).toContain('invalid_client');
    expect((await post('/oauth/token', 'grant_type=client_credentials&client_id=%00&client_secret=x')).status).toBe(401);
    const code = await post('/oauth/token', `grant_type=authorization_code&code=%00&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${'a'.repeat(43)}`, { authorization: basic });
    expect(await code.json()).toMatchObject({ error: 'invalid_grant' });
    const refresh = await post('/oauth/token', 'grant_type=refresh_token&refresh_token=%00', { authorization: basic });
    expect(await refresh.json()).toMatchObject({ error: 'invalid_grant' });
    expect(await (await post('/oauth/token/introspection', 'token=%00', { authorization: basic })).json()).toEqual({ active: false });
    expect((await post('/oauth/token/revocation', 'token=%00', { authorization: basic })).status).toBe(200);
    for (const path of ['/oauth/session/end?client_id=%00', '/oauth/session/end/success?client_id=%00']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    }
  });
});

describe('bodies too large', () => {
  it("refuses a declared length over oidc-provider's own limit with 413, closing the connection, not a reset", async () => {
    const response = await post('/oauth/token', `grant_type=client_credentials&pad=${'a'.repeat(70_000)}`, { authorization: basic });
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('refuses a chunked body past the limit on an interaction page and on introspection with 413, closing the connection', async () => {
    const config = await discover(server, credentials);
    const browser = new PageBrowser();
    const { url } = await authorizationRequest(config, 'openid');
    const location = (await browser.fetch(url)).headers.get('location')!;
    const page = await browser.fetch(new URL(`${location}/login`, server.url), { method: 'POST', headers: FORM, body: chunked(200_000), duplex: 'half' } as RequestInit);
    expect(page.status).toBe(413);
    expect(page.headers.get('connection')).toBe('close');
    const introspection = await post('/oauth/token/introspection', chunked(200_000), { authorization: basic });
    expect(introspection.status).toBe(413);
    expect(introspection.headers.get('connection')).toBe('close');
    // The server goes on serving.
    expect((await fetch(`${server.url}/.well-known/openid-configuration`)).status).toBe(200);
  });
});

describe('interactions', () => {
  it('answers an unknown interaction, or a post to one, with the error page', async () => {
    for (const response of [await fetch(`${server.url}/oauth/interaction/unknown`), await post('/oauth/interaction/unknown/login', 'csrf=x&email=a@b.c&password=x')]) {
      expect(response.status).toBe(400);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      const html = await response.text();
      expect(html).toContain('Something went wrong');
      expect(html).not.toMatch(/\bat .+\.(js|ts):\d+/);
    }
  });

  it('answers an expired interaction with the error page, on GET and on a form post', async () => {
    const config = await discover(server, credentials);
    const browser = new PageBrowser();
    const { url } = await authorizationRequest(config, 'openid');
    const location = (await browser.fetch(url)).headers.get('location')!;
    const html = await (await browser.fetch(new URL(location, server.url))).text();
    const uid = location.split('/').pop()!;
    await server.running.database.orm.em.getConnection().execute(
      `update oidc_models set expires_at = now() - interval '1 second' where model_name = 'Interaction' and id = ?`,
      [uid],
    );
    expect((await browser.fetch(new URL(location, server.url))).status).toBe(400);
    const submitted = await browser.submit(html, 'login', { email: 'a@example.com', password: 'whatever it is' }, server.url);
    expect(submitted.page!.status).toBe(400);
    expect(await submitted.page!.text()).toContain('Something went wrong');
  });
});
