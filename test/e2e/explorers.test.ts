import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, skipBrowserTests } from '../support/chromium.ts';
import { registration, startTestServer, type TestServer } from '../support/server.ts';

// Without Chromium: skipped outside CI (the run ends with a line saying how to install it), failed in CI.
const skipped = skipBrowserTests();
const browserTest = it.skipIf(skipped);
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

let server: TestServer;
let browser: Browser;
const user = registration();

beforeAll(async () => {
  if (skipped) return;
  await mkdir(ARTIFACTS, { recursive: true });
  server = await startTestServer();
  const registered = await server.rest('POST', '/register-user', { body: user });
  expect(registered.status).toBe(200);
  browser = await launchChromium([
    // Offline for real: a page that reached for a CDN gets a DNS failure, not a lucky download.
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh page, with every URL it (and its workers) requested and every error it logged. */
async function openPage(): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, requests, errors };
}

/** Requests that left the server's origin; `blob:` URLs carry the origin that made them. */
function foreign(requests: readonly string[]): string[] {
  const origin = new URL(server.url).origin;
  return requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
}

browserTest('GraphiQL runs loginUser offline and shows a working token', async () => {
  const { page, requests } = await openPage();
  await page.goto(server.running.graphqlUrl);
  const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  // One line, inserted rather than typed: the editor would add closing braces and indentation
  // to typed newlines.
  await page.keyboard.insertText(
    `mutation Login { loginUser(email: ${JSON.stringify(user.email)}, password: ${JSON.stringify(user.password)}) { token user { email } } }`,
  );
  // Laid out over several lines, so the screenshot shows the whole operation.
  await page.getByRole('button', { name: /^Prettify query/ }).click();
  await page.locator('.graphiql-execute-button').click();

  const responsePane = page.locator('.graphiql-response');
  await responsePane.getByText('"token"').waitFor();
  // The editor wraps the long token over several lines: read the pane without whitespace.
  const shown = (await responsePane.innerText()).replace(/\s+/g, '');
  await page.screenshot({ path: `${ARTIFACTS}graphiql-login.png` });
  const token = /"token":"([^"]+)"/.exec(shown)?.[1] ?? '';
  expect(token).toMatch(JWT);
  expect(shown).toContain(`"email":"${user.email}"`);
  // The token on screen is the real thing: it authenticates the user.
  expect((await server.graphql('{ me { email } }', { token })).body.data).toEqual({ me: { email: user.email } });

  expect(foreign(requests)).toEqual([]);
  await page.context().close();
});

browserTest('the REST docs list POST /rest/login-user, offline and under their CSP', async () => {
  const { page, requests, errors } = await openPage();
  await page.goto(server.running.restDocsUrl);
  // Swagger UI shows the server (`/rest`) once and each path relative to it.
  const operation = page.locator('.opblock-post', { has: page.locator('.opblock-summary-path[data-path="/login-user"]') });
  await operation.waitFor();
  expect(await page.locator('.servers select').inputValue()).toBe('/rest');
  expect(await operation.locator('.opblock-summary-method').innerText()).toBe('POST');
  await page.screenshot({ path: `${ARTIFACTS}rest-docs.png`, fullPage: true });

  expect(foreign(requests)).toEqual([]);
  expect(requests).toContain(`${server.url}/rest/openapi.json`);
  // A CSP violation, a failed asset or a script error would each show up here.
  expect(errors).toEqual([]);
  await page.context().close();
});

browserTest('the REST docs call POST /rest/login-user with a JSON body ("Try it out") and show the token', async () => {
  const { page, requests } = await openPage();
  await page.goto(server.running.restDocsUrl);
  const operation = page.locator('.opblock-post', { has: page.locator('.opblock-summary-path[data-path="/login-user"]') });
  await operation.locator('.opblock-summary').click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  // The document takes the credentials as a JSON body only, so that is all the form offers.
  expect(await operation.locator('.parameters-container input').count()).toBe(0);
  await operation.locator('textarea.body-param__text').fill(JSON.stringify({ email: user.email, password: user.password }));
  await operation.getByRole('button', { name: 'Execute' }).click();

  const answer = operation.locator('.live-responses-table .response');
  await answer.locator('.response-col_status', { hasText: '200' }).waitFor();
  const body = (await answer.locator('.response-col_description pre').first().innerText()).replace(/\s+/g, '');
  await page.screenshot({ path: `${ARTIFACTS}rest-docs-login.png`, fullPage: true });
  const token = /"token":"([^"]+)"/.exec(body)?.[1] ?? '';
  expect(token).toMatch(JWT);
  expect(requests).toContain(`${server.url}/rest/login-user`);
  expect(requests.some((url) => url.includes('password'))).toBe(false);
  expect(foreign(requests)).toEqual([]);
  await page.context().close();
});
