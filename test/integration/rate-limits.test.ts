import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret, TOTP } from 'otpauth';
import { authOperations } from '../support/operations.ts';
import { capturingLogger, confirmAddress, registration, startTestServer, uniqueEmail, type TestServer } from '../support/server.ts';
import { SURFACES } from '../support/surfaces.ts';

// 3 per address (and so per address and email), 6 per email from every address together, 5
// refreshes per address.
const LIMIT = { JANUS_LOGIN_RATE_LIMIT: '3/60', JANUS_LOGIN_EMAIL_RATE_LIMIT: '6/60', JANUS_REFRESH_RATE_LIMIT: '5/60', JANUS_TRUST_PROXY: 'true' };
const REFRESHES_PER_ADDRESS = 5;
const PER_EMAIL = 6;

/** A Retry-After of the time left in a 60 s window: at most the window, at least a second. */
const WITHIN_WINDOW = expect.stringMatching(/^([1-9]|[1-5][0-9]|60)$/);

/** An address no other test (or concurrent test run sharing Redis) uses. */
const freshIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

interface Attempt {
  status: number;
  code?: string;
  retryAfter: string | null;
}

async function login(server: TestServer, surface: 'graphql' | 'rest', email: string, ip: string, password = 'wrong password'): Promise<Attempt> {
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': ip };
  const response =
    surface === 'rest'
      ? await fetch(`${server.running.restUrl}/login-user`, { method: 'POST', headers, body: JSON.stringify({ email, password }) })
      : await fetch(server.running.graphqlUrl, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query: authOperations, operationName: 'LoginUser', variables: { email, password } }),
        });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, retryAfter: response.headers.get('retry-after') };
}

interface Account {
  id: string;
  email: string;
  password: string;
  token: string;
}

async function register(server: TestServer, ip: string): Promise<Account> {
  const input = registration();
  const response = await fetch(`${server.running.restUrl}/register-user`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { token: string; user: { id: string } };
  return { id: body.user.id, email: input.email, password: input.password, token: body.token };
}

/** A call with a bearer token, from `ip`, on either surface: its status, code and Retry-After. */
async function authenticatedCall(
  server: TestServer,
  surface: 'graphql' | 'rest',
  call: { restPath: string; query: string; variables: Record<string, unknown> },
  token: string,
  ip: string,
): Promise<Attempt> {
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': ip, authorization: `Bearer ${token}` };
  const response =
    surface === 'rest'
      ? await fetch(`${server.running.restUrl}${call.restPath}`, { method: 'POST', headers, body: JSON.stringify(call.variables) })
      : await fetch(server.running.graphqlUrl, { method: 'POST', headers, body: JSON.stringify({ query: call.query, variables: call.variables }) });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, retryAfter: response.headers.get('retry-after') };
}

const deleteMe = (password: string) => ({
  restPath: '/delete-me',
  query: 'mutation DeleteMe($password: String!) { deleteMe(password: $password) }',
  variables: { password },
});

/** How many wrong current passwords the audit trail holds for `userId`. */
async function passwordFailuresOf(server: TestServer, userId: string): Promise<number> {
  const page = await server.running.services.audit.list(100, undefined);
  return page.edges.filter(({ node }) => node.event === 'password.failure' && node.userId === userId).length;
}

describe('with the in-memory store', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(LIMIT);
  });
  afterAll(() => server?.close());

  it('counts attempts on one email from many addresses, on GraphQL and REST together, in the larger per-email bucket', async () => {
    const email = uniqueEmail();
    const first = [];
    for (let i = 0; i < PER_EMAIL; i++) first.push(await login(server, i % 2 ? 'rest' : 'graphql', email, freshIp()));
    expect(first.map((attempt) => attempt.code)).toEqual(Array(PER_EMAIL).fill('INVALID_CREDENTIALS'));

    const rest = await login(server, 'rest', email.toUpperCase(), freshIp());
    expect(rest).toEqual({ status: 429, code: 'RATE_LIMITED', retryAfter: WITHIN_WINDOW });
    const graphql = await login(server, 'graphql', ` ${email} `, freshIp());
    expect(graphql).toMatchObject({ status: 200, code: 'RATE_LIMITED', retryAfter: WITHIN_WINDOW });
  });

  it("does not lock an account's owner out when strangers fail from many addresses, until the per-email bucket is spent", async () => {
    const owner = registration();
    const ownerIp = freshIp();
    const registered = await fetch(`${server.running.restUrl}/register-user`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ownerIp },
      body: JSON.stringify(owner),
    });
    expect(registered.status).toBe(200);
    // More wrong guesses, each from its own address, than one address may make: with one bucket
    // of 3 per email, the owner would now be locked out.
    for (let i = 0; i < 4; i++) expect((await login(server, 'rest', owner.email, freshIp())).code).toBe('INVALID_CREDENTIALS');
    expect(await login(server, 'rest', owner.email, ownerIp, owner.password)).toMatchObject({ status: 200, code: undefined });

    // The sixth attempt on the email spends the bucket: from then on nobody gets through.
    expect((await login(server, 'graphql', owner.email, freshIp())).code).toBe('INVALID_CREDENTIALS');
    expect(await login(server, 'rest', owner.email, ownerIp, owner.password)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });

  it('still limits one address guessing one email to the per-address limit', async () => {
    const email = uniqueEmail();
    const ip = freshIp();
    for (let i = 0; i < 3; i++) expect((await login(server, i % 2 ? 'rest' : 'graphql', email, ip)).code).toBe('INVALID_CREDENTIALS');
    expect(await login(server, 'rest', email, ip)).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfter: WITHIN_WINDOW });
    // The email itself has room left: another address still gets an answer.
    expect((await login(server, 'rest', email, freshIp())).code).toBe('INVALID_CREDENTIALS');
  });

  it('limits passkey logins like loginUser, per address and per email, never pooling the calls without an email', async () => {
    const call = (ip: string, body: Record<string, unknown>, path = '/start-passkey-login') =>
      fetch(`${server.running.restUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify(body) });
    // More usernameless starts, each from its own address, than one email may have: no shared bucket refuses them.
    for (let i = 0; i < PER_EMAIL + 1; i++) expect((await call(freshIp(), {})).status).toBe(200);
    const email = uniqueEmail();
    for (let i = 0; i < PER_EMAIL; i++) expect((await call(freshIp(), { email: i % 2 ? email : email.toUpperCase() })).status).toBe(200);
    expect((await call(freshIp(), { email })).status).toBe(429);

    const ip = freshIp();
    const unknownChallenge = { challengeId: randomUUID(), response: { id: 'x' } };
    for (let i = 0; i < 3; i++) expect((await call(ip, unknownChallenge, '/finish-passkey-login')).status).toBe(401);
    expect((await call(ip, unknownChallenge, '/finish-passkey-login')).status).toBe(429);
  });

  it('counts attempts from one address on many emails', async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) expect((await login(server, 'rest', uniqueEmail(), ip)).code).toBe('INVALID_CREDENTIALS');
    expect(await login(server, 'rest', uniqueEmail(), ip)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect((await login(server, 'rest', uniqueEmail(), freshIp())).code).toBe('INVALID_CREDENTIALS');
  });

  it('limits registration and refresh per email and per token the same way', async () => {
    const email = uniqueEmail();
    const outcomes = [];
    for (let i = 0; i <= PER_EMAIL; i++) {
      const response = await fetch(`${server.running.restUrl}/register-user`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIp() },
        body: JSON.stringify(registration({ email })),
      });
      outcomes.push(response.status);
    }
    expect(outcomes).toEqual([200, ...Array(PER_EMAIL - 1).fill(409), 429]);

    const refreshes = [];
    for (let i = 0; i <= PER_EMAIL; i++) {
      const response = await fetch(`${server.running.restUrl}/refresh-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIp() },
        body: JSON.stringify({ refreshToken: `stolen-token-being-guessed-${email}` }),
      });
      refreshes.push(response.status);
    }
    expect(refreshes).toEqual([...Array(PER_EMAIL).fill(401), 429]);
  });

  it('counts refreshes from one address at their own rate, apart from and above the login rate', async () => {
    const ip = freshIp();
    const refreshes = [];
    for (let i = 0; i <= REFRESHES_PER_ADDRESS; i++) {
      const response = await fetch(`${server.running.restUrl}/refresh-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ refreshToken: `one-of-many-clients-behind-one-address-${i}-${ip}` }),
      });
      refreshes.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
    }
    expect(refreshes).toEqual([...Array(REFRESHES_PER_ADDRESS).fill({ status: 401, retryAfter: null }), { status: 429, retryAfter: WITHIN_WINDOW }]);

    // The same address still has its three login attempts, and no more.
    for (let i = 0; i < 3; i++) expect((await login(server, 'graphql', uniqueEmail(), ip)).code).toBe('INVALID_CREDENTIALS');
    expect(await login(server, 'graphql', uniqueEmail(), ip)).toMatchObject({ code: 'RATE_LIMITED', retryAfter: WITHIN_WINDOW });
  });

  it('admits exactly the limit of racing logins from one address, and refuses the rest', async () => {
    const ip = freshIp();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login(server, i % 2 ? 'rest' : 'graphql', uniqueEmail(), ip)));
    const codes = answers.map((answer) => answer.code);
    expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(3);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(17);
  });

  it('does not limit other operations', async () => {
    const ip = freshIp();
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${server.running.restUrl}/me`, { headers: { 'x-forwarded-for': ip } });
      expect(response.status).toBe(401);
    }
  });
});

describe('Retry-After', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ JANUS_LOGIN_RATE_LIMIT: '3/10', JANUS_TRUST_PROXY: 'true' });
  });
  afterAll(() => server?.close());

  it.each(['graphql', 'rest'] as const)('on %s, says the seconds until the bucket admits the next call, not the whole window', async (surface) => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) expect((await login(server, surface, uniqueEmail(), ip)).code).toBe('INVALID_CREDENTIALS');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const response = await fetch(surface === 'rest' ? `${server.running.restUrl}/login-user` : server.running.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify(
        surface === 'rest'
          ? { email: uniqueEmail(), password: 'wrong password' }
          : { query: authOperations, operationName: 'LoginUser', variables: { email: uniqueEmail(), password: 'wrong password' } },
      ),
    });
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    const seconds = Number(response.headers.get('retry-after'));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(7);
    expect(body.errors[0]!.message).toBe(`Too many attempts; retry in ${seconds} seconds`);
  });
});

describe('the default outside production', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Empty: JANUS_LOGIN_RATE_LIMIT unset, as after the tour.
    server = await startTestServer({ JANUS_LOGIN_RATE_LIMIT: '' });
  });
  afterAll(() => server?.close());

  it('lets a newcomer try more wrong passwords than the production 10 per 5 minutes', async () => {
    const account = await register(server, '127.0.0.1');
    for (let i = 0; i < 12; i++) expect((await login(server, i % 2 ? 'rest' : 'graphql', account.email, '127.0.0.1')).code).toBe('INVALID_CREDENTIALS');
    expect((await login(server, 'rest', account.email, '127.0.0.1', account.password)).status).toBe(200);
  });
});

describe('without a trusted proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ JANUS_LOGIN_RATE_LIMIT: '3/60' });
  });
  afterAll(() => server?.close());

  it('ignores X-Forwarded-For, which any client can write', async () => {
    for (let i = 0; i < 3; i++) expect((await login(server, 'rest', uniqueEmail(), freshIp())).code).toBe('INVALID_CREDENTIALS');
    expect((await login(server, 'rest', uniqueEmail(), freshIp())).code).toBe('RATE_LIMITED');
  });
});

describe('with Redis', () => {
  const redis = { ...LIMIT, REDIS_URL: 'redis://127.0.0.1:6379' };

  it('shares the counts between instances', async () => {
    const a = await startTestServer(redis);
    const b = await startTestServer(redis);
    try {
      const email = uniqueEmail();
      for (let i = 0; i < PER_EMAIL; i++) {
        expect((await login(i % 2 ? b : a, i % 3 ? 'rest' : 'graphql', email, freshIp())).code).toBe('INVALID_CREDENTIALS');
      }
      expect(await login(b, 'rest', email, freshIp())).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(await login(a, 'rest', email, freshIp())).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('admits exactly the limit of 40 racing logins for one email spread over two instances, and refuses the rest', async () => {
    const race = { ...redis, JANUS_LOGIN_RATE_LIMIT: '100/60', JANUS_LOGIN_EMAIL_RATE_LIMIT: '5/60' };
    const a = await startTestServer(race);
    const b = await startTestServer(race);
    try {
      const email = uniqueEmail();
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => login(i % 2 ? b : a, i % 4 < 2 ? 'rest' : 'graphql', email, freshIp())),
      );
      const codes = answers.map((answer) => answer.code);
      expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(5);
      expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(35);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('fails open to per-instance counting when Redis is unreachable, and says so in the log', async () => {
    const log = capturingLogger('warn');
    const server = await startTestServer({ ...LIMIT, REDIS_URL: 'redis://127.0.0.1:1' }, undefined, log.logger);
    try {
      const email = uniqueEmail();
      for (let i = 0; i < PER_EMAIL; i++) expect((await login(server, 'rest', email, freshIp())).code).toBe('INVALID_CREDENTIALS');
      expect((await login(server, 'rest', email, freshIp())).code).toBe('RATE_LIMITED');
      expect(log.lines().filter((line) => String(line.msg).includes('rate-limit store (Redis) unavailable'))).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('changePassword', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(LIMIT);
  });
  afterAll(() => server?.close());

  const changePassword = (token: string, ip: string, currentPassword: string): Promise<Attempt> =>
    authenticatedCall(
      server,
      'rest',
      {
        restPath: '/change-password',
        query: 'mutation ChangePassword($currentPassword: String!, $newPassword: String!) { changePassword(currentPassword: $currentPassword, newPassword: $newPassword) { token } }',
        variables: { currentPassword, newPassword: `a new passphrase ${randomInt(1e9)}` },
      },
      token,
      ip,
    );

  it('limits the guesses of one caller (a stolen token) from many addresses, even the right one past the limit, and audits each wrong one', async () => {
    const account = await register(server, freshIp());
    for (let i = 0; i < 3; i++) expect((await changePassword(account.token, freshIp(), 'wrong password')).code).toBe('INVALID_CREDENTIALS');
    expect(await changePassword(account.token, freshIp(), account.password)).toEqual({ status: 429, code: 'RATE_LIMITED', retryAfter: WITHIN_WINDOW });
    expect(await passwordFailuresOf(server, account.id)).toBe(3);
  });

  it('limits the calls from one address across callers', async () => {
    const ip = freshIp();
    const [first, second] = [await register(server, freshIp()), await register(server, freshIp())];
    expect((await changePassword(first.token, ip, 'wrong password')).code).toBe('INVALID_CREDENTIALS');
    expect((await changePassword(second.token, ip, 'wrong password')).code).toBe('INVALID_CREDENTIALS');
    expect((await changePassword(first.token, ip, 'wrong password')).code).toBe('INVALID_CREDENTIALS');
    expect(await changePassword(second.token, ip, second.password)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    // The second caller's own bucket holds two calls: from another address it gets through.
    expect(await changePassword(second.token, freshIp(), second.password)).toMatchObject({ status: 200, code: undefined });
  });
});

describe('deleteMe', () => {
  let server: TestServer;
  beforeAll(async () => {
    // A short bcrypt queue and real hashing (~70 ms): a flood that reached bcrypt would fill it.
    server = await startTestServer({ ...LIMIT, JANUS_BCRYPT_QUEUE: '4', BCRYPT_COST: '10' });
  });
  afterAll(() => server?.close());

  it("refuses a stolen token's 40 parallel wrong passwords past the limit, audits each one checked, and another user still logs in", async () => {
    const victim = await register(server, freshIp());
    const other = await register(server, freshIp());
    const [flood, otherLogin] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, (_, i) => authenticatedCall(server, i % 2 ? 'rest' : 'graphql', deleteMe('wrong password'), victim.token, freshIp()))),
      login(server, 'rest', other.email, freshIp(), other.password),
    ]);
    const codes = flood.map((answer) => answer.code);
    expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(3);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(37);
    expect(flood.filter((answer) => answer.code === 'RATE_LIMITED').map((answer) => answer.status)).toContain(429);
    expect(otherLogin).toMatchObject({ status: 200, code: undefined });
    expect(await passwordFailuresOf(server, victim.id)).toBe(3);
  });

  it('limits the calls from one address across callers', async () => {
    const ip = freshIp();
    const callers = [await register(server, freshIp()), await register(server, freshIp()), await register(server, freshIp()), await register(server, freshIp())];
    for (const caller of callers.slice(0, 3)) expect((await authenticatedCall(server, 'graphql', deleteMe('wrong password'), caller.token, ip)).code).toBe('INVALID_CREDENTIALS');
    expect(await authenticatedCall(server, 'rest', deleteMe(callers[3]!.password), callers[3]!.token, ip)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });
});

describe.each(SURFACES)('second-factor operations that need no code, on %s', (surface) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(LIMIT);
  });
  afterAll(() => server?.close());

  const enrollTotp = { restPath: '/enroll-totp', query: 'mutation { enrollTotp { secret } }', variables: {} };
  const regenerateRecoveryCodes = { restPath: '/regenerate-recovery-codes', query: 'mutation { regenerateRecoveryCodes }', variables: {} };
  const refused = { status: surface === 'rest' ? 429 : 200, code: 'RATE_LIMITED', retryAfter: WITHIN_WINDOW };

  it('limits enrollTotp per caller, from any address', async () => {
    const account = await register(server, freshIp());
    // Enrolling needs a confirmed address while mail goes out (mfa.md).
    await confirmAddress(server, account.id);
    for (let i = 0; i < 3; i++) expect((await authenticatedCall(server, surface, enrollTotp, account.token, freshIp())).code).toBeUndefined();
    expect(await authenticatedCall(server, surface, enrollTotp, account.token, freshIp())).toEqual(refused);
  });

  it('limits regenerateRecoveryCodes per caller, from any address', async () => {
    // The second factor is set up through the services: only the calls under test reach HTTP.
    const { accounts, mfa } = server.running.services;
    const input = registration();
    const user = await accounts.createAccount(input);
    await confirmAddress(server, user.id);
    const { secret } = await mfa.enrollTotp(user.id);
    // No session confirms it here: every session of the user ends, of which there are none yet.
    const recoveryCodes = await mfa.confirmTotp(user.id, randomUUID(), TOTP.generate({ secret: Secret.fromBase32(secret) }));
    const challenge = await accounts.login(input.email, input.password).then(
      () => expect.fail('the login should ask for the second factor'),
      (error: { extensions: { mfaToken: string } }) => error.extensions.mfaToken,
    );
    const { token } = await mfa.verify(challenge, recoveryCodes[0]!);
    for (let i = 0; i < 3; i++) expect((await authenticatedCall(server, surface, regenerateRecoveryCodes, token, freshIp())).code).toBeUndefined();
    expect(await authenticatedCall(server, surface, regenerateRecoveryCodes, token, freshIp())).toEqual(refused);
  });
});

describe('with a bcrypt queue of one', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Hashes slow enough (~70 ms) that a burst arrives faster than the slots free up.
    server = await startTestServer({ JANUS_BCRYPT_QUEUE: '1', BCRYPT_COST: '10' });
  });
  afterAll(() => server?.close());

  it('refuses a burst beyond the running and queued hashes at once: 503 with Retry-After on REST, SERVICE_UNAVAILABLE on GraphQL', async () => {
    const account = registration();
    expect((await server.rest('POST', '/register-user', { body: account })).status).toBe(200);
    const wrong = { email: account.email, password: 'wrong password' };
    const burst = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        i % 2
          ? server.rest('POST', '/login-user', { body: wrong }).then(({ status, headers, body }) => ({
              surface: 'rest',
              status,
              retryAfter: headers.get('retry-after'),
              code: (body as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code,
            }))
          : server.graphql(authOperations, { operationName: 'LoginUser', variables: wrong }).then(({ status, headers, body }) => ({
              surface: 'graphql',
              status,
              retryAfter: headers.get('retry-after'),
              code: body.errors?.[0]?.extensions?.code,
            })),
      ),
    );
    const refused = burst.filter((answer) => answer.code === 'SERVICE_UNAVAILABLE');
    const checked = burst.filter((answer) => answer.code === 'INVALID_CREDENTIALS');
    expect(refused.length + checked.length).toBe(burst.length);
    // At least one hash per core plus the one queued ran; a burst of 16 cannot all fit.
    expect(checked.length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(answer.status).toBe(answer.surface === 'rest' ? 503 : 200);
    }

    // Once the burst has passed, the owner logs in as usual.
    expect((await server.rest('POST', '/login-user', { body: { email: account.email, password: account.password } })).status).toBe(200);
  });
});
