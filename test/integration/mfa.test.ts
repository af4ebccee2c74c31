import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authCalls } from '../support/auth-calls.ts';
import { mfaCalls } from '../support/mfa-calls.ts';
import type { AuthPayloadFields } from '../support/operations.ts';
import { confirmAddress, registration, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES, type OperationCall, type Outcome, type Surface } from '../support/surfaces.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** The code an authenticator app shows `stepsAhead` time steps from now. */
function totpCode(secret: string, stepsAhead = 0): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + stepsAhead * 30_000 });
}

function amrOf(token: string): unknown {
  return decodeJwt(token).amr;
}

async function rows<T>(sql: string, params: unknown[]): Promise<T[]> {
  return server.running.database.orm.em.getConnection().execute<T[]>(sql, params);
}

describe.each(SURFACES)('TOTP second factor on %s', (surface: Surface) => {
  const run = <TResult, TVariables, TField extends keyof TResult>(call: OperationCall<TResult, TVariables, TField>, token?: string) =>
    perform(server, surface, call, token);
  const expectCode = (outcome: Outcome<unknown>, code: string, restStatus: number) => {
    expect(outcome.code, outcome.message).toBe(code);
    expect(outcome.status).toBe(surface === 'rest' ? restStatus : 200);
  };

  /** A registered account whose address is confirmed (mail goes out here, so enrolling needs it). */
  async function newAccount() {
    const input = registration();
    const response = await server.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
    expect(response.status).toBe(200);
    await confirmAddress(server, response.body.user.id);
    return { ...input, session: response.body };
  }

  /** An account with TOTP confirmed (with the code of the current step), its secret and recovery codes. */
  async function enrolledAccount() {
    const account = await newAccount();
    const enrollment = await run(mfaCalls.enroll(), account.session.token);
    const secret = enrollment.data!.secret;
    const confirmed = await run(mfaCalls.confirm(totpCode(secret)), account.session.token);
    expect(confirmed.data).toHaveLength(10);
    return { ...account, secret, recoveryCodes: confirmed.data! };
  }

  /** A login with the right password: MFA_REQUIRED and its mfaToken. */
  async function mfaToken(account: { email: string; password: string }): Promise<string> {
    const login = await run(authCalls.login(account.email, account.password));
    expectCode(login, 'MFA_REQUIRED', 401);
    const token = login.extensions?.mfaToken;
    expect(typeof token).toBe('string');
    return token as string;
  }

  it('enrolls with a secret and an otpauth URI, and changes nothing until a code confirms it', async () => {
    const account = await newAccount();
    const enrollment = await run(mfaCalls.enroll(), account.session.token);
    const { secret, otpauthUri } = enrollment.data!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Janus');
    expect(decodeURIComponent(uri.pathname)).toContain(account.email);

    expect((await run(mfaCalls.status(), account.session.token)).data?.mfaEnabled).toBe(false);
    const login = await run(authCalls.login(account.email, account.password));
    expect(login.data?.token).toBeDefined();
    expect(amrOf(login.data!.token)).toEqual(['pwd']);

    expectCode(await run(mfaCalls.confirm('not-a-code'), account.session.token), 'INVALID_MFA_CODE', 401);
    expectCode(await run(mfaCalls.confirm(totpCode(secret, 5)), account.session.token), 'INVALID_MFA_CODE', 401);
    const codes = await run(mfaCalls.confirm(totpCode(secret)), account.session.token);
    expect(new Set(codes.data)).toHaveProperty('size', 10);
    for (const code of codes.data!) expect(code).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
    expect((await run(mfaCalls.status(), account.session.token)).data?.mfaEnabled).toBe(true);

    expectCode(await run(mfaCalls.enroll(), account.session.token), 'MFA_ALREADY_ENABLED', 409);
    expectCode(await run(mfaCalls.confirm(totpCode(secret, 1)), account.session.token), 'MFA_ALREADY_ENABLED', 409);
  });

  it('refuses to confirm without an enrollment', async () => {
    const account = await newAccount();
    expectCode(await run(mfaCalls.confirm('123456'), account.session.token), 'MFA_NOT_ENROLLED', 409);
  });

  it('answers the right password with MFA_REQUIRED and no tokens, and completes the login with a TOTP code', async () => {
    const account = await enrolledAccount();
    const login = await run(authCalls.login(account.email, account.password));
    expectCode(login, 'MFA_REQUIRED', 401);
    expect(login.data).toBeUndefined();
    const token = login.extensions?.mfaToken as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A wrong password still says only that.
    expectCode(await run(authCalls.login(account.email, 'wrong password here')), 'INVALID_CREDENTIALS', 401);

    const verified = await run(mfaCalls.verify(token, totpCode(account.secret, 1)));
    expect(verified.data?.user.email).toBe(account.email);
    expect(amrOf(verified.data!.token)).toEqual(['pwd', 'otp']);
    expect((await run(mfaCalls.status(), verified.data!.token)).data?.mfaEnabled).toBe(true);

    // The session keeps its amr across refreshes; the mfaToken is spent.
    const refreshed = await run(authCalls.refresh(verified.data!.refreshToken));
    expect(amrOf(refreshed.data!.token)).toEqual(['pwd', 'otp']);
    expectCode(await run(mfaCalls.verify(token, totpCode(account.secret, 1))), 'INVALID_MFA_TOKEN', 401);
  });

  it('accepts a TOTP code once: the same code on a new login is a replay', async () => {
    const account = await enrolledAccount();
    const code = totpCode(account.secret, 1);
    expect((await run(mfaCalls.verify(await mfaToken(account), code))).data).toBeDefined();
    expectCode(await run(mfaCalls.verify(await mfaToken(account), code)), 'INVALID_MFA_CODE', 401);
    // So is the code that confirmed the enrollment, and anything outside ±1 step.
    expectCode(await run(mfaCalls.verify(await mfaToken(account), totpCode(account.secret, 0))), 'INVALID_MFA_CODE', 401);
    expectCode(await run(mfaCalls.verify(await mfaToken(account), totpCode(account.secret, 3))), 'INVALID_MFA_CODE', 401);
  });

  it('accepts each recovery code once, typed in any case and without dashes', async () => {
    const account = await enrolledAccount();
    const [first, second] = account.recoveryCodes;
    const typed = first!.replace(/-/g, '').toUpperCase();
    const verified = await run(mfaCalls.verify(await mfaToken(account), typed));
    expect(amrOf(verified.data!.token)).toEqual(['pwd', 'otp']);
    expectCode(await run(mfaCalls.verify(await mfaToken(account), first!)), 'INVALID_MFA_CODE', 401);
    expect((await run(mfaCalls.verify(await mfaToken(account), second!))).data).toBeDefined();
  });

  it('kills the mfaToken after 5 wrong codes: even the right code is then refused', async () => {
    const account = await enrolledAccount();
    const token = await mfaToken(account);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expectCode(await run(mfaCalls.verify(token, `wrong-${attempt}`)), 'INVALID_MFA_CODE', 401);
    }
    expectCode(await run(mfaCalls.verify(token, totpCode(account.secret, 1))), 'INVALID_MFA_TOKEN', 401);
    // A new login gets a new mfaToken, and the code was not used up by the dead one.
    expect((await run(mfaCalls.verify(await mfaToken(account), totpCode(account.secret, 1)))).data).toBeDefined();
  });

  it('refuses an expired or unknown mfaToken', async () => {
    const account = await enrolledAccount();
    const token = await mfaToken(account);
    await rows('update mfa_challenges set expires_at = now() - interval \'1 second\' where user_id = ?', [account.session.user.id]);
    expectCode(await run(mfaCalls.verify(token, totpCode(account.secret, 1))), 'INVALID_MFA_TOKEN', 401);
    expectCode(await run(mfaCalls.verify('no-such-token', totpCode(account.secret, 1))), 'INVALID_MFA_TOKEN', 401);
  });

  it('lets exactly one of ten concurrent verifyMfa calls with one mfaToken and one code succeed', async () => {
    const account = await enrolledAccount();
    const token = await mfaToken(account);
    const code = totpCode(account.secret, 1);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => run(mfaCalls.verify(token, code))));
    expect(outcomes.filter((outcome) => outcome.data)).toHaveLength(1);
    for (const refused of outcomes.filter((outcome) => !outcome.data)) {
      expect(['INVALID_MFA_TOKEN', 'INVALID_MFA_CODE']).toContain(refused.code);
    }
  });

  it('lets exactly one of several logins completed at once with the same code succeed', async () => {
    const account = await enrolledAccount();
    const tokens = await Promise.all(Array.from({ length: 4 }, () => mfaToken(account)));
    const code = totpCode(account.secret, 1);
    const outcomes = await Promise.all(tokens.map((token) => run(mfaCalls.verify(token, code))));
    expect(outcomes.filter((outcome) => outcome.data)).toHaveLength(1);
    for (const refused of outcomes.filter((outcome) => !outcome.data)) expect(refused.code).toBe('INVALID_MFA_CODE');
  });

  it('disables the second factor with a recovery code, after which the password alone logs in', async () => {
    const account = await enrolledAccount();
    expectCode(await run(mfaCalls.disable('wrong-code'), account.session.token), 'INVALID_MFA_CODE', 401);
    expect((await run(mfaCalls.disable(account.recoveryCodes[3]!), account.session.token)).data).toBe(true);
    expect((await run(mfaCalls.status(), account.session.token)).data?.mfaEnabled).toBe(false);
    const login = await run(authCalls.login(account.email, account.password));
    expect(amrOf(login.data!.token)).toEqual(['pwd']);
    expectCode(await run(mfaCalls.disable(totpCode(account.secret, 1)), account.session.token), 'MFA_NOT_ENABLED', 409);
    const left = await rows<{ count: string }>(
      'select (select count(*) from user_totp where user_id = ?) + (select count(*) from mfa_recovery_codes where user_id = ?) as count',
      [account.session.user.id, account.session.user.id],
    );
    expect(Number(left[0]!.count)).toBe(0);
  });

  it('disables the second factor with a current TOTP code', async () => {
    const account = await enrolledAccount();
    expect((await run(mfaCalls.disable(totpCode(account.secret, 1)), account.session.token)).data).toBe(true);
    expect((await run(mfaCalls.status(), account.session.token)).data?.mfaEnabled).toBe(false);
  });

  it('keeps the TOTP secret encrypted and only hashes of the recovery codes in the database', async () => {
    const account = await enrolledAccount();
    const [totp] = await rows<{ secret: string }>('select secret from user_totp where user_id = ?', [account.session.user.id]);
    expect(totp!.secret).not.toContain(account.secret);
    expect(totp!.secret).toMatch(/^[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    const stored = await rows<{ code_hash: string }>('select code_hash from mfa_recovery_codes where user_id = ?', [account.session.user.id]);
    expect(stored).toHaveLength(10);
    const plain = new Set(account.recoveryCodes.flatMap((code) => [code, code.replace(/-/g, '')]));
    for (const { code_hash } of stored) {
      expect(code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(plain.has(code_hash)).toBe(false);
    }
  });

  it('answers MFA_REQUIRED on a @requiresMfa field to a token without otp, and serves one with it', async () => {
    const account = await enrolledAccount();
    // The registration's token predates the second factor: its amr is pwd alone.
    const refused = await run(mfaCalls.regenerateRecoveryCodes(), account.session.token);
    expectCode(refused, 'MFA_REQUIRED', 401);
    expect(refused.extensions?.mfaToken).toBeUndefined();

    const verified = await run(mfaCalls.verify(await mfaToken(account), totpCode(account.secret, 1)));
    const fresh = await run(mfaCalls.regenerateRecoveryCodes(), verified.data!.token);
    expect(fresh.data).toHaveLength(10);
    // The old codes are gone, the new ones work.
    expectCode(await run(mfaCalls.verify(await mfaToken(account), account.recoveryCodes[0]!)), 'INVALID_MFA_CODE', 401);
    expect((await run(mfaCalls.verify(await mfaToken(account), fresh.data![0]!))).data).toBeDefined();
  });

  it('keeps the second factor on, and the session proven by it, across a password change', async () => {
    const account = await enrolledAccount();
    const verified = await run(mfaCalls.verify(await mfaToken(account), totpCode(account.secret, 1)));
    const newPassword = 'another horse battery';
    const changed = await run(authCalls.changePassword(account.password, newPassword), verified.data!.token);
    expect(amrOf(changed.data!.token)).toEqual(['pwd', 'otp']);
    expect((await run(mfaCalls.status(), changed.data!.token)).data?.mfaEnabled).toBe(true);
    expect(await mfaToken({ email: account.email, password: newPassword })).toBeTruthy();
  });
});

describe('the challenges of @requiresMfa and of login on REST', () => {
  it('sends RFC 9470 insufficient_user_authentication on a step-up, a plain Bearer challenge with the mfaToken', async () => {
    const input = registration();
    const registered = await server.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
    await confirmAddress(server, registered.body.user.id);
    const enrollment = await server.rest<{ secret: string }>('POST', '/enroll-totp', { token: registered.body.token });
    await server.rest('POST', '/confirm-totp', { token: registered.body.token, body: { code: totpCode(enrollment.body.secret) } });

    const stepUp = await server.rest('POST', '/regenerate-recovery-codes', { token: registered.body.token });
    expect(stepUp.status).toBe(401);
    expect(stepUp.headers.get('www-authenticate')).toMatch(/error="insufficient_user_authentication"/);

    const login = await server.rest<{ errors: { message: string; extensions: Record<string, unknown> }[] }>('POST', '/login-user', {
      body: { email: input.email, password: input.password },
    });
    expect(login.status).toBe(401);
    expect(login.headers.get('www-authenticate')).toBe('Bearer realm="janus"');
    expect(login.body).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: 'MFA_REQUIRED', mfaToken: expect.any(String) } }],
    });
  });
});
