import * as client from 'openid-client';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, chromiumMissing, skipBrowserTests } from '../support/chromium.ts';
import { createClient, discover, REDIRECT_URI } from '../support/oidc.ts';
import { accountWithRole, registration, startTestServer, type TestServer } from '../support/server.ts';

// Without Chromium: skipped outside CI (the run ends with a line saying how to install it), failed in CI.
const skipped = skipBrowserTests();
const browserTest = it.skipIf(skipped);

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (skipped) return;
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  server = await startTestServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

browserTest('signs in and grants on Janus\'s pages, ending on the client\'s redirect with a code', async () => {
  const admin = await accountWithRole(server, 'admin');
  const credentials = await createClient(server, admin.token, {
    grantTypes: ['authorization_code'],
    scopes: ['openid', 'email', 'roles:read'],
    redirectUris: [REDIRECT_URI],
  });
  const config = await discover(server, credentials);
  const input = registration({ role: 'admin' });
  await server.running.services.accounts.createAccount(input);
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email roles:read',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state,
  });

  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  // The client: nothing listens there, the browser only has to arrive.
  await context.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'client' }));

  await page.goto(url.href);
  await page.fill('input[name="email"]', input.email);
  await page.fill('input[name="password"]', input.password);
  await page.click('button[type="submit"]');
  await page.waitForSelector('text=Allow access');
  // The first form grants; denying is the second.
  await page.locator('form').first().locator('button').click();
  await page.waitForURL(`${REDIRECT_URI}**`);

  const arrived = new URL(page.url());
  expect(`${arrived.origin}${arrived.pathname}`).toBe(REDIRECT_URI);
  expect(arrived.searchParams.get('state')).toBe(state);
  expect(arrived.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
  expect(arrived.searchParams.get('iss')).toBe(server.url);
  // No CSP violation, no script error on the way.
  expect(errors).toEqual([]);
  await context.close();
});
