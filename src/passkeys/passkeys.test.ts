import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipBrowserTests } from '../../test/support/chromium.ts';
import { mfaCalls } from '../../test/support/mfa-calls.ts';
import { passkeyCalls as calls } from '../../test/support/passkey-calls.ts';
import { accountWithRole, confirmAddress, startTestServer, type TestServer } from '../../test/support/server.ts';
import { perform, SURFACES, type Surface } from '../../test/support/surfaces.ts';

type Json = Record<string, unknown>;

/**
 * The web app's page: the few lines of browser code docs/sign-in.md shows, on an origin of its
 * own (in JANUS_WEBAUTHN_ORIGINS, rp id `localhost`). The test talks to Janus; the page only runs
 * the WebAuthn ceremonies with the options Janus gave, answering `credential.toJSON()`.
 */
const APP_PAGE = `<!doctype html><title>app</title><script>
async function createPasskey(options) {
  const credential = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
  return credential.toJSON();
}
async function usePasskey(options) {
  const credential = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
  return credential.toJSON();
}
</script>`;

// Without Chromium: skipped outside CI (test/support/chromium.ts), failed in CI.
const skipped = skipBrowserTests();
const describeInBrowser = describe.skipIf(skipped);

let server: TestServer;
let app: Server;
let appOrigin: string;
let browser: Browser;

beforeAll(async () => {
  if (skipped) return;
  app = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(APP_PAGE));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appOrigin = `http://localhost:${(app.address() as AddressInfo).port}`;
  server = await startTestServer({ JANUS_WEBAUTHN_RP_ID: 'localhost', JANUS_WEBAUTHN_ORIGINS: appOrigin, JANUS_WEBAUTHN_RP_NAME: 'Janus tests' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
});

/** The app's page with a DevTools virtual authenticator: a platform authenticator holding discoverable passkeys, verifying its user. */
async function appWithAuthenticator(): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(appOrigin);
  const devtools = await context.newCDPSession(page);
  await devtools.send('WebAuthn.enable');
  await devtools.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return page;
}

const createPasskey = (page: Page, options: unknown) => page.evaluate(`createPasskey(${JSON.stringify(options)})`) as Promise<Json>;
const usePasskey = (page: Page, options: unknown) => page.evaluate(`usePasskey(${JSON.stringify(options)})`) as Promise<Json>;

/** A user with a confirmed address, logged in with a password just now: what adding a passkey needs. */
async function confirmedUser() {
  const account = await accountWithRole(server, 'user');
  await confirmAddress(server, account.id);
  return account;
}

/** A user (logged in with a password just now) with one passkey on a fresh page's authenticator. */
async function userWithPasskey(surface: Surface) {
  const account = await confirmedUser();
  const page = await appWithAuthenticator();
  const options = (await perform(server, surface, calls.startRegistration(), account.token)).data!;
  const credential = await createPasskey(page, options);
  const passkey = (await perform(server, surface, calls.finishRegistration(credential, 'Laptop'), account.token)).data!;
  return { account, page, credential, passkey };
}

/** A whole passkey login on `page`: start (with an email or without), the browser's answer, finish. */
async function passkeyLogin(surface: Surface, page: Page, email?: string) {
  const start = (await perform(server, surface, calls.startLogin(email))).data!;
  const response = await usePasskey(page, start.options);
  return { start, response, outcome: await perform(server, surface, calls.finishLogin(start.challengeId, response)) };
}

const statusOf = (surface: Surface, rest: number) => (surface === 'rest' ? rest : 200);

describeInBrowser.each(SURFACES)('passkeys in Chromium on %s', (surface: Surface) => {
  it('adds a passkey after a recent login, then signs in with it by email and without one', async () => {
    const account = await confirmedUser();
    const page = await appWithAuthenticator();
    const options = (await perform(server, surface, calls.startRegistration(), account.token)).data as Json;
    expect(options).toMatchObject({
      rp: { id: 'localhost', name: 'Janus tests' },
      user: { name: account.email },
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    const credential = await createPasskey(page, options);
    const added = await perform(server, surface, calls.finishRegistration(credential, ' Laptop '), account.token);
    expect(added.data).toMatchObject({ name: 'Laptop', lastUsedAt: null, deviceType: 'singleDevice', backedUp: false });

    const byEmail = await passkeyLogin(surface, page, account.email.toUpperCase());
    expect(byEmail.start.options).toMatchObject({ rpId: 'localhost', userVerification: 'required', allowCredentials: [{ id: credential.id }] });
    expect(byEmail.outcome.data).toMatchObject({ user: { id: account.id, email: account.email } });

    const usernameless = await passkeyLogin(surface, page);
    expect(usernameless.start.options).not.toHaveProperty('allowCredentials.0');
    expect(usernameless.outcome.data?.user.id).toBe(account.id);
    expect(decodeJwt(usernameless.outcome.data!.token).amr).toEqual(['hwk', 'user', 'mfa']);

    const listed = await perform(server, surface, calls.list(), usernameless.outcome.data!.token);
    expect(listed.data).toEqual([expect.objectContaining({ id: added.data!.id, name: 'Laptop', lastUsedAt: expect.any(String) })]);
  });

  it('lets a passkey login pass @requiresMfa, which a password login does not', async () => {
    const { account, page } = await userWithPasskey(surface);
    const byPassword = await perform(server, surface, mfaCalls.regenerateRecoveryCodes(), account.token);
    expect(byPassword.code).toBe('MFA_REQUIRED');

    const { outcome } = await passkeyLogin(surface, page, account.email);
    // Past the access rule: the account simply has no TOTP whose recovery codes could be renewed.
    const byPasskey = await perform(server, surface, mfaCalls.regenerateRecoveryCodes(), outcome.data!.token);
    expect(byPasskey.code).toBe('MFA_NOT_ENABLED');
  });

  it('uses a challenge once: the same answer again is INVALID_PASSKEY_CHALLENGE', async () => {
    const { page } = await userWithPasskey(surface);
    const { start, response, outcome } = await passkeyLogin(surface, page);
    expect(outcome.data?.token).toBeDefined();
    const replayed = await perform(server, surface, calls.finishLogin(start.challengeId, response));
    expect(replayed).toMatchObject({ code: 'INVALID_PASSKEY_CHALLENGE', status: statusOf(surface, 401) });
  });

  it('refuses a deleted passkey with INVALID_PASSKEY, though the authenticator still holds it', async () => {
    const { account, page, passkey } = await userWithPasskey(surface);
    expect((await perform(server, surface, calls.remove(passkey.id), account.token)).data).toBe(true);
    expect((await perform(server, surface, calls.list(), account.token)).data).toEqual([]);

    const { outcome } = await passkeyLogin(surface, page);
    expect(outcome).toMatchObject({ code: 'INVALID_PASSKEY', status: statusOf(surface, 401) });
  });

  it('renames a passkey; another user\'s passkey is NOT_FOUND to rename or delete', async () => {
    const { account, passkey } = await userWithPasskey(surface);
    expect((await perform(server, surface, calls.rename(passkey.id, 'Phone'), account.token)).data?.name).toBe('Phone');
    const other = await accountWithRole(server, 'user');
    for (const refused of [
      await perform(server, surface, calls.rename(passkey.id, 'Mine now'), other.token),
      await perform(server, surface, calls.remove(passkey.id), other.token),
    ]) {
      expect(refused).toMatchObject({ code: 'NOT_FOUND', status: statusOf(surface, 404) });
    }
  });
});

describeInBrowser('passkey checks', () => {
  it('refuses an answer whose signature counter did not rise (a cloned authenticator), and audits it', async () => {
    const { account, page } = await userWithPasskey('graphql');
    const first = (await perform(server, 'graphql', calls.startLogin(account.email))).data!;
    const earlier = await usePasskey(page, first.options);
    const second = (await perform(server, 'graphql', calls.startLogin(account.email))).data!;
    const later = await usePasskey(page, second.options);
    expect((await perform(server, 'graphql', calls.finishLogin(second.challengeId, later))).data?.user.id).toBe(account.id);

    const refused = await perform(server, 'graphql', calls.finishLogin(first.challengeId, earlier));
    expect(refused.code).toBe('INVALID_PASSKEY');
    const rows = await server.running.database.orm.em.getConnection().execute(
      `select count(*)::int as n from audit_events where event = 'passkey.counter_regression' and user_id = ?`,
      [account.id],
    );
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('refuses an answer to another account\'s challenge: a passkey answers only for its email', async () => {
    const { page } = await userWithPasskey('rest');
    const victim = await userWithPasskey('rest');
    const start = (await perform(server, 'rest', calls.startLogin(victim.account.email))).data!;
    // The attacker's own passkey signs the challenge made for the victim's email.
    const response = await usePasskey(page, { ...start.options, allowCredentials: [] });
    expect(await perform(server, 'rest', calls.finishLogin(start.challengeId, response))).toMatchObject({ code: 'INVALID_PASSKEY', status: 401 });
  });

  it('erases a user\'s passkeys with the account (deleteMe)', async () => {
    const { account } = await userWithPasskey('rest');
    const deleted = await server.rest('POST', '/delete-me', { body: { password: 'correct horse battery' }, token: account.token });
    expect(deleted.status).toBe(200);
    const rows = await server.running.database.orm.em.getConnection().execute('select count(*)::int as n from passkeys where user_id = ?', [account.id]);
    expect(rows[0]).toEqual({ n: 0 });
  });
});

// No ceremony here, but the server these share is started only where Chromium runs.
describeInBrowser('passkey login without a browser', () => {
  it('answers an email without an account exactly as one without passkeys: a decoy, the same each time', async () => {
    const unknown = 'nobody-passkeys@example.com';
    const withoutPasskeys = await accountWithRole(server, 'user');
    const decoys = [];
    for (const email of [unknown, unknown.toUpperCase(), withoutPasskeys.email]) {
      const start = await perform(server, 'rest', calls.startLogin(email));
      expect(start.status).toBe(200);
      decoys.push(start.data!.options as { allowCredentials: { id: string; type: string; transports: string[] }[] });
    }
    const [first, again, other] = decoys;
    expect(first!.allowCredentials).toEqual([{ id: expect.stringMatching(/^[\w-]{22}$/), type: 'public-key', transports: ['hybrid', 'internal'] }]);
    expect(again!.allowCredentials).toEqual(first!.allowCredentials);
    expect(other!.allowCredentials).toEqual([{ id: expect.stringMatching(/^[\w-]{22}$/), type: 'public-key', transports: ['hybrid', 'internal'] }]);
    expect(other!.allowCredentials[0]!.id).not.toBe(first!.allowCredentials[0]!.id);
  });

  it('refuses an unknown challenge id, and an answer that is not a credential, on both surfaces', async () => {
    for (const surface of SURFACES) {
      const unknown = await perform(server, surface, calls.finishLogin('00000000-0000-4000-8000-000000000000', { id: 'x' }));
      expect(unknown).toMatchObject({ code: 'INVALID_PASSKEY_CHALLENGE', status: statusOf(surface, 401) });
      const start = (await perform(server, surface, calls.startLogin())).data!;
      const garbage = await perform(server, surface, calls.finishLogin(start.challengeId, { id: 'x', response: 'nothing' }));
      expect(garbage).toMatchObject({ code: 'INVALID_PASSKEY', status: statusOf(surface, 401) });
    }
  });
});
