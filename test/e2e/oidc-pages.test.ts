import * as client from 'openid-client';
import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, skipBrowserTests } from '../support/chromium.ts';
import { createClient, discover, REDIRECT_URI } from '../support/oidc.ts';
import { accountWithRole, confirmAddress, registration, startTestServer, type TestServer } from '../support/server.ts';

// Without Chromium: skipped outside CI (the run ends with a line saying how to install it), failed in CI.
const skipped = skipBrowserTests();
const browserTest = it.skipIf(skipped);

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (skipped) return;
  server = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A new account with the admin role, and an authorization request of a client for it. */
async function authorization(): Promise<{ input: ReturnType<typeof registration>; userId: string; url: URL; state: string }> {
  const admin = await accountWithRole(server, 'admin');
  const credentials = await createClient(server, admin.token, {
    grantTypes: ['authorization_code'],
    scopes: ['openid', 'email', 'roles:read'],
    redirectUris: [REDIRECT_URI],
  });
  const config = await discover(server, credentials);
  const input = registration({ role: 'admin' });
  const user = await server.running.services.accounts.createAccount(input);
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email roles:read',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state,
  });
  return { input, userId: user.id, url, state };
}

/** A browser context whose console errors are kept, and where the client's redirect URI answers. */
async function clientBrowser(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  // The client: nothing listens there, the browser only has to arrive.
  await context.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'client' }));
  return { context, page, errors };
}

/** Grants on the consent page and checks the browser arrives at the client with a code and the state. */
async function grantAndArrive(page: Page, state: string): Promise<void> {
  await page.waitForSelector('text=Allow access');
  // The first form grants; denying is the second.
  await page.locator('form').first().locator('button').click();
  await page.waitForURL(`${REDIRECT_URI}**`);
  const arrived = new URL(page.url());
  expect(`${arrived.origin}${arrived.pathname}`).toBe(REDIRECT_URI);
  expect(arrived.searchParams.get('state')).toBe(state);
  expect(arrived.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
  expect(arrived.searchParams.get('iss')).toBe(server.url);
}

browserTest('signs in and grants on Janus\'s pages, ending on the client\'s redirect with a code', async () => {
  const { input, url, state } = await authorization();
  const { context, page, errors } = await clientBrowser();
  await page.goto(url.href);
  await page.fill('input[name="email"]', input.email);
  await page.fill('input[name="password"]', input.password);
  await page.click('button[type="submit"]');
  await grantAndArrive(page, state);
  // No CSP violation, no script error on the way.
  expect(errors).toEqual([]);
  await context.close();
});

browserTest('asks an account with a second factor for its TOTP code on the code step', async () => {
  const { input, userId, url, state } = await authorization();
  await confirmAddress(server, userId);
  const { mfa } = server.running.services;
  const secret = Secret.fromBase32((await mfa.enrollTotp(userId)).secret);
  // The code that confirms enrolment is spent (RFC 6238 §5.2): confirm with the previous step's,
  // within the allowed drift, so the current step's is fresh for the login without waiting.
  await mfa.confirmTotp(userId, randomUUID(), TOTP.generate({ secret, timestamp: Date.now() - 30_000 }));

  const { context, page, errors } = await clientBrowser();
  await page.goto(url.href);
  await page.fill('input[name="email"]', input.email);
  await page.fill('input[name="password"]', input.password);
  await page.click('button[type="submit"]');
  await page.waitForSelector('input[name="code"]');
  await page.fill('input[name="code"]', '000000');
  await page.click('button[type="submit"]');
  await page.waitForSelector('text=The code is wrong');
  await page.fill('input[name="code"]', TOTP.generate({ secret }));
  await page.click('button[type="submit"]');
  await grantAndArrive(page, state);
  // The wrong code's page answered 400, as it should; nothing else went wrong (no CSP violation, no script).
  expect(errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  await context.close();
});
