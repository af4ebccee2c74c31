import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCalls } from '../../test/support/account-calls.ts';
import { authCalls } from '../../test/support/auth-calls.ts';
import { signInAtProvider, startTestIdentityProvider, type TestIdentityProvider } from '../../test/support/identity-provider.ts';
import { mfaCalls } from '../../test/support/mfa-calls.ts';
import { passkeyCalls } from '../../test/support/passkey-calls.ts';
import { confirmAddress, registration, startTestServer, uniqueEmail, type TestServer } from '../../test/support/server.ts';
import { signInCalls } from '../../test/support/sign-in-calls.ts';
import { perform, SURFACES, type Surface } from '../../test/support/surfaces.ts';
import { hashOpaqueSecret } from '../shared/opaque-secret.ts';

const REDIRECT_URI = 'http://localhost:5173/signed-in';
const PROVIDER = 'test';

let idp: TestIdentityProvider;
let github: FakeGitHub;
let server: TestServer;

beforeAll(async () => {
  idp = await startTestIdentityProvider([REDIRECT_URI]);
  github = await startGitHubEnterprise();
  server = await startTestServer({
    JANUS_SIGN_IN_PROVIDERS: JSON.stringify([
      { id: PROVIDER, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scopes: ['openid', 'email', 'profile'] },
      { id: 'github', clientId: github.clientId, clientSecret: github.clientSecret, baseUrl: github.url },
    ]),
    JANUS_SIGN_IN_REDIRECT_URIS: `${REDIRECT_URI},http://localhost:5173/other`,
  });
});
afterAll(async () => {
  await server?.close();
  await idp?.stop();
  await github?.stop();
});

/** A provider account with a fresh login name and address. */
function providerAccount(emailVerified = true, email = uniqueEmail('idp')): string {
  const login = `person-${randomUUID()}`;
  idp.accounts.set(login, { email, emailVerified, givenName: 'Grace', familyName: 'Hopper' });
  return login;
}

/** startSignIn on `surface`, then the browser's part at the provider: the redirect's code and state. */
async function redirectFor(surface: Surface, login: string, provider = PROVIDER): Promise<{ code: string; state: string }> {
  const started = await perform(server, surface, signInCalls.start(provider, REDIRECT_URI));
  expect(started.status).toBe(200);
  const query = await signInAtProvider(started.data!.authorizationUrl, REDIRECT_URI, login);
  return { code: query.get('code')!, state: query.get('state')! };
}

async function signIn(surface: Surface, login: string, provider = PROVIDER) {
  const { code, state } = await redirectFor(surface, login, provider);
  return perform(server, surface, signInCalls.complete(provider, code, state));
}

const sql = (text: string, values: unknown[] = []) => server.running.database.orm.em.getConnection().execute(text, values);

describe.each(SURFACES)('sign-in at an OpenID provider on %s', (surface: Surface) => {
  it('lists the configured providers', async () => {
    expect((await perform(server, surface, signInCalls.providers())).data).toEqual([{ id: PROVIDER }, { id: 'github' }]);
  });

  it('creates an account at the first sign-in with a verified address, and finds it at the second', async () => {
    const login = providerAccount();
    const first = await signIn(surface, login);
    expect(first.status).toBe(200);
    expect(first.data!.user).toMatchObject({ email: idp.accounts.get(login)!.email, firstName: 'Grace', lastName: 'Hopper', role: 'user' });
    expect(decodeJwt(first.data!.token).amr).toEqual(['fed']);
    const [row] = await sql('select password_hash, email_verified from users where id = ?', [first.data!.user.id]);
    expect(row).toEqual({ password_hash: null, email_verified: true });

    const second = await signIn(surface, login);
    expect(second.data!.user.id).toBe(first.data!.user.id);
    expect((await perform(server, surface, authCalls.me(), second.data!.token)).data?.id).toBe(first.data!.user.id);
    expect((await perform(server, surface, signInCalls.identities(), second.data!.token)).data).toEqual([
      expect.objectContaining({ provider: PROVIDER, email: idp.accounts.get(login)!.email }),
    ]);
  });

  it('links to an account that confirmed the same address, and signs that account in', async () => {
    const input = registration();
    const registered = await perform(server, surface, authCalls.register(input));
    await confirmAddress(server, registered.data!.user.id);
    const outcome = await signIn(surface, providerAccount(true, input.email));
    expect(outcome.data?.user.id).toBe(registered.data!.user.id);
    // The password keeps working beside the provider.
    expect((await perform(server, surface, authCalls.login(input.email, input.password))).status).toBe(200);
  });

  it('refuses with ACCOUNT_EXISTS, linking nothing, when the account has not confirmed the address', async () => {
    const input = registration();
    const registered = await perform(server, surface, authCalls.register(input));
    const refused = await signIn(surface, providerAccount(true, input.email));
    expect(refused).toMatchObject({ code: 'ACCOUNT_EXISTS', status: surface === 'rest' ? 409 : 200 });
    expect(await sql('select id from identities where user_id = ?', [registered.data!.user.id])).toEqual([]);
  });

  it('refuses a new identity whose provider does not vouch for the address, creating nothing', async () => {
    const email = uniqueEmail('unverified');
    const refused = await signIn(surface, providerAccount(false, email));
    expect(refused).toMatchObject({ code: 'PROVIDER_EMAIL_NOT_VERIFIED', status: surface === 'rest' ? 403 : 200 });
    expect(await sql('select id from users where email = ?', [email])).toEqual([]);
  });

  it('refuses a forged state, even with a real code', async () => {
    const { code } = await redirectFor(surface, providerAccount());
    const refused = await perform(server, surface, signInCalls.complete(PROVIDER, code, 'forged-state-of-the-attacker'));
    expect(refused).toMatchObject({ code: 'SIGN_IN_FAILED', status: surface === 'rest' ? 401 : 200 });
  });

  it('refuses a replayed code and state: a state works once', async () => {
    const { code, state } = await redirectFor(surface, providerAccount());
    expect((await perform(server, surface, signInCalls.complete(PROVIDER, code, state))).status).toBe(200);
    const replayed = await perform(server, surface, signInCalls.complete(PROVIDER, code, state));
    expect(replayed.code).toBe('SIGN_IN_FAILED');
  });

  it('refuses an ID token whose nonce is not the one this sign-in stored', async () => {
    const { code, state } = await redirectFor(surface, providerAccount());
    // As if the ID token had been made for another sign-in: the provider signed the nonce it was sent.
    await sql('update sign_in_states set nonce = ? where state_hash = ?', ['another-sign-in-nonce', hashOpaqueSecret(state)]);
    expect((await perform(server, surface, signInCalls.complete(PROVIDER, code, state))).code).toBe('SIGN_IN_FAILED');
  });

  it('refuses a state past its lifetime', async () => {
    const { code, state } = await redirectFor(surface, providerAccount());
    await sql(`update sign_in_states set expires_at = now() - interval '1 second' where state_hash = ?`, [hashOpaqueSecret(state)]);
    expect((await perform(server, surface, signInCalls.complete(PROVIDER, code, state))).code).toBe('SIGN_IN_FAILED');
  });

  it('refuses a redirect URI not configured, and an unknown provider, with BAD_USER_INPUT', async () => {
    for (const call of [signInCalls.start(PROVIDER, 'https://evil.example/steal'), signInCalls.start('nope', REDIRECT_URI)]) {
      expect(await perform(server, surface, call)).toMatchObject({ code: 'BAD_USER_INPUT', status: surface === 'rest' ? 400 : 200 });
    }
  });

  it('links a provider to a logged-in account, lists it, and unlinks it while a password remains', async () => {
    const input = registration();
    const { token } = (await perform(server, surface, authCalls.register(input))).data!;
    const login = providerAccount(false);
    const started = await perform(server, surface, signInCalls.startLink(PROVIDER, REDIRECT_URI), token!);
    const query = await signInAtProvider(started.data!.authorizationUrl, REDIRECT_URI, login);
    const linked = await perform(server, surface, signInCalls.link(PROVIDER, query.get('code')!, query.get('state')!), token!);
    expect(linked.data).toMatchObject({ provider: PROVIDER, email: null });
    // The provider now signs this account in, though its address was never verified there.
    expect((await signIn(surface, login)).data?.user.email).toBe(input.email);

    expect((await perform(server, surface, signInCalls.identities(), token!)).data).toHaveLength(1);
    expect((await perform(server, surface, signInCalls.unlink(PROVIDER), token!)).data).toBe(true);
    expect((await perform(server, surface, signInCalls.identities(), token!)).data).toEqual([]);
    expect(await perform(server, surface, signInCalls.unlink(PROVIDER), token!)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses to link a provider account that belongs to another account', async () => {
    const login = providerAccount();
    await signIn(surface, login);
    const { token } = (await perform(server, surface, authCalls.register(registration()))).data!;
    const started = await perform(server, surface, signInCalls.startLink(PROVIDER, REDIRECT_URI), token!);
    const query = await signInAtProvider(started.data!.authorizationUrl, REDIRECT_URI, login);
    const refused = await perform(server, surface, signInCalls.link(PROVIDER, query.get('code')!, query.get('state')!), token!);
    expect(refused).toMatchObject({ code: 'IDENTITY_LINKED', status: surface === 'rest' ? 409 : 200 });
  });

  it('keeps the last way to sign in: unlinking needs a password first, which the account then sets without a current one', async () => {
    const { data } = await signIn(surface, providerAccount());
    const refused = await perform(server, surface, signInCalls.unlink(PROVIDER), data!.token);
    expect(refused).toMatchObject({ code: 'LAST_SIGN_IN_METHOD', status: surface === 'rest' ? 409 : 200 });

    const changed = await perform(server, surface, authCalls.changePassword(undefined, 'a first password of mine'), data!.token);
    expect(changed.status).toBe(200);
    expect((await perform(server, surface, signInCalls.unlink(PROVIDER), changed.data!.token)).data).toBe(true);
    expect((await perform(server, surface, authCalls.login(data!.user.email, 'a first password of mine'))).status).toBe(200);
  });

  it('counts passkeys as ways to sign in: the provider can go while a passkey stays, and the last passkey cannot', async () => {
    const { data } = await signIn(surface, providerAccount());
    // What finishPasskeyRegistration stores (src/passkeys/passkeys.test.ts registers real ones in Chromium).
    const [passkey] = await sql(
      `insert into passkeys (id, user_id, credential_id, public_key, counter, device_type, backed_up, name, created_at)
       values (?, ?, ?, 'pk', 0, 'singleDevice', false, 'Laptop', now()) returning id`,
      [randomUUID(), data!.user.id, randomUUID()],
    ) as { id: string }[];
    expect((await perform(server, surface, signInCalls.unlink(PROVIDER), data!.token)).data).toBe(true);
    const refused = await perform(server, surface, passkeyCalls.remove(passkey!.id), data!.token);
    expect(refused).toMatchObject({ code: 'LAST_SIGN_IN_METHOD', status: surface === 'rest' ? 409 : 200 });
  });

  it('answers loginUser on an account without a password as a wrong password', async () => {
    const { data } = await signIn(surface, providerAccount());
    const refused = await perform(server, surface, authCalls.login(data!.user.email, 'any password at all'));
    expect(refused).toMatchObject({ code: 'INVALID_CREDENTIALS', status: surface === 'rest' ? 401 : 200 });
  });

  it('lets an account without a password delete itself with a recent login and no password', async () => {
    const { data } = await signIn(surface, providerAccount());
    expect((await perform(server, surface, accountCalls.deleteMe(), data!.token)).data).toBe(true);
    expect(await sql('select id from users where id = ?', [data!.user.id])).toEqual([]);
    expect(await sql('select id from identities where user_id = ?', [data!.user.id])).toEqual([]);
  });

  it('still asks a password-holding account for its password to delete itself', async () => {
    const { token } = (await perform(server, surface, authCalls.register(registration()))).data!;
    expect((await perform(server, surface, accountCalls.deleteMe(), token!)).code).toBe('INVALID_CREDENTIALS');
  });

  it('does not let a federated login satisfy @requiresMfa', async () => {
    const { data } = await signIn(surface, providerAccount());
    expect((await perform(server, surface, mfaCalls.regenerateRecoveryCodes(), data!.token)).code).toBe('MFA_REQUIRED');
  });

  it('asks an account with a second factor for it after the provider, and the session says fed and otp', async () => {
    const login = providerAccount();
    const { data } = await signIn(surface, login);
    const { secret } = (await perform(server, surface, mfaCalls.enroll(), data!.token)).data!;
    const code = TOTP.generate({ secret: Secret.fromBase32(secret) });
    const recoveryCodes = (await perform(server, surface, mfaCalls.confirm(code), data!.token)).data!;

    const challenged = await signIn(surface, login);
    expect(challenged.code).toBe('MFA_REQUIRED');
    const verified = await perform(server, surface, mfaCalls.verify(challenged.extensions!.mfaToken as string, recoveryCodes[0]!));
    expect(decodeJwt(verified.data!.token).amr).toEqual(['fed', 'otp']);
  });
});

describe('an account without a password, once its login is no longer recent', () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({
      JANUS_SIGN_IN_PROVIDERS: JSON.stringify([{ id: PROVIDER, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }]),
      JANUS_SIGN_IN_REDIRECT_URIS: REDIRECT_URI,
      JANUS_REAUTH_MAX_AGE: '1',
    });
  });
  afterAll(() => strict?.close());

  it.each(SURFACES)('cannot delete itself on %s: REAUTHENTICATION_REQUIRED, and the account stays', async (surface) => {
    const started = await perform(strict, surface, signInCalls.start(PROVIDER, REDIRECT_URI));
    const query = await signInAtProvider(started.data!.authorizationUrl, REDIRECT_URI, providerAccount());
    const { data } = await perform(strict, surface, signInCalls.complete(PROVIDER, query.get('code')!, query.get('state')!));
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const refused = await perform(strict, surface, accountCalls.deleteMe(), data!.token);
    expect(refused).toMatchObject({ code: 'REAUTHENTICATION_REQUIRED', status: surface === 'rest' ? 401 : 200 });
    const rows = await strict.running.database.orm.em.getConnection().execute('select id from users where id = ?', [data!.user.id]);
    expect(rows).toHaveLength(1);
  });
});

describe('sign-in with GitHub (a GitHub Enterprise Server speaking GitHub\'s OAuth and REST API)', () => {
  it('signs in with the primary verified address, skipping unverified ones', async () => {
    github.user = { id: 4242, login: 'octo', name: 'Octo Cat' };
    const primary = uniqueEmail('octo');
    github.emails = [
      { email: uniqueEmail('unverified'), primary: false, verified: false },
      { email: uniqueEmail('secondary'), primary: false, verified: true },
      { email: primary, primary: true, verified: true },
    ];
    const outcome = await signIn('graphql', 'unused', 'github');
    expect(outcome.data?.user).toMatchObject({ email: primary, firstName: 'Octo Cat' });
    expect(github.verifiedPkce).toBe(true);
  });

  it('refuses a GitHub account with no verified address', async () => {
    github.user = { id: 4343, login: 'nobody', name: null };
    github.emails = [{ email: uniqueEmail('unverified'), primary: true, verified: false }];
    expect((await signIn('rest', 'unused', 'github')).code).toBe('PROVIDER_EMAIL_NOT_VERIFIED');
  });
});

interface FakeGitHub {
  url: string;
  clientId: string;
  clientSecret: string;
  user: { id: number; login: string; name: string | null };
  emails: { email: string; primary: boolean; verified: boolean }[];
  /** Whether the last code was redeemed with the verifier of its challenge. */
  verifiedPkce: boolean;
  stop(): Promise<void>;
}

/**
 * A server speaking the parts of GitHub's API Janus uses, at GitHub Enterprise Server's paths
 * (/login/oauth/authorize, /login/oauth/access_token, /api/v3/user, /api/v3/user/emails): the
 * authorize page answers at once with a code, as GitHub does for a signed-in user who consented.
 */
async function startGitHubEnterprise(): Promise<FakeGitHub> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const token = `gho_${randomUUID()}`;
  const http: Server = createServer((request, response) => {
    const url = new URL(request.url!, fake.url);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/login/oauth/authorize') {
      const code = randomUUID();
      codes.set(code, { challenge: url.searchParams.get('code_challenge')!, redirectUri: url.searchParams.get('redirect_uri')! });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      response.writeHead(302, { location: back.href });
      response.end();
      return;
    }
    if (url.pathname === '/login/oauth/access_token') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const form = new URLSearchParams(body);
        const expectedAuth = `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`;
        const issued = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        fake.verifiedPkce = !!issued && createHash('sha256').update(verifier).digest('base64url') === issued.challenge;
        // GitHub answers 200 with an error member for a bad code.
        if (request.headers.authorization !== expectedAuth || !issued || !fake.verifiedPkce || issued.redirectUri !== form.get('redirect_uri')) {
          json(200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
          return;
        }
        json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
      });
      return;
    }
    if (request.headers.authorization !== `Bearer ${token}`) return json(401, { message: 'Bad credentials' });
    if (url.pathname === '/api/v3/user') return json(200, fake.user);
    if (url.pathname === '/api/v3/user/emails') return json(200, fake.emails);
    json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const fake: FakeGitHub = {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    clientId: 'Iv1.janus-test',
    clientSecret: 'github-test-secret',
    user: { id: 1, login: 'x', name: null },
    emails: [],
    verifiedPkce: false,
    stop: () => new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    }),
  };
  return fake;
}
