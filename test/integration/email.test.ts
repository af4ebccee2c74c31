import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authCalls } from '../support/auth-calls.ts';
import { emailCalls } from '../support/email-calls.ts';
import { mfaCalls } from '../support/mfa-calls.ts';
import type { AuthPayloadFields } from '../support/operations.ts';
import { capturingLogger, registration, startTestServer, uniqueEmail, type TestServer } from '../support/server.ts';
import { startTestSmtp, tokenOf, type TestSmtp } from '../support/smtp.ts';
import { perform, SURFACES, type OperationCall, type Surface } from '../support/surfaces.ts';

const APP_URL = 'https://app.example.test';
const VERIFY = /confirm your email/i;
const RESET = /reset your password/i;
const CHANGED = /password was changed/i;

let smtp: TestSmtp;
let server: TestServer;
const log = capturingLogger('debug');

beforeAll(async () => {
  smtp = await startTestSmtp();
  server = await startTestServer({ JANUS_SMTP_URL: smtp.url, JANUS_APP_URL: APP_URL, JANUS_MAIL_FROM: 'Janus <accounts@example.test>' }, undefined, log.logger);
});
afterAll(async () => {
  await server?.close();
  await smtp?.stop();
});

/** Every token a test saw in a mail: none may show up in a log line or an audit row. */
const tokensSeen: string[] = [];

function token(mail: Parameters<typeof tokenOf>[0], linkPath: Parameters<typeof tokenOf>[1]): string {
  const found = tokenOf(mail, linkPath);
  tokensSeen.push(found);
  return found;
}

async function newAccount(overrides: Record<string, string> = {}) {
  const input = registration(overrides);
  const response = await server.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
  expect(response.status).toBe(200);
  return { ...input, email: input.email.toLowerCase(), session: response.body };
}

async function outboxRowsTo(email: string) {
  return server.running.database.orm.em
    .getConnection()
    .execute<{ attempts: number; sent_at: Date | null; text_body: string }[]>('select attempts, sent_at, text_body from outbox where recipient = ? order by id', [email]);
}

/** "Password changed" notices queued for `email` (in the same transaction as the change). */
async function changedNoticesTo(email: string): Promise<number> {
  const rows = await server.running.database.orm.em
    .getConnection()
    .execute<{ count: string }[]>(`select count(*) as count from outbox where recipient = ? and subject ilike '%password was changed%'`, [email]);
  return Number(rows[0]!.count);
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(name));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(SURFACES)('email flows on %s', (surface: Surface) => {
  const run = <TResult, TVariables, TField extends keyof TResult>(call: OperationCall<TResult, TVariables, TField>, accessToken?: string) =>
    perform(server, surface, call, accessToken);
  const expectCode = (outcome: { code?: string; status: number }, code: string, restStatus: number) => {
    expect(outcome.code).toBe(code);
    expect(outcome.status).toBe(surface === 'rest' ? restStatus : 200);
  };

  it('mails a verification link at registration; verifyEmail confirms the address once', async () => {
    const account = await newAccount();
    expect(account.session.user.emailVerified).toBe(false);
    const mail = await smtp.nextMail(account.email, VERIFY);
    expect(mail.parsed.from?.value[0]?.address).toBe('accounts@example.test');
    const secret = token(mail, '/verify-email');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail.text).toContain(`${APP_URL}/verify-email?token=${secret}`);
    expect(mail.html).toContain(`href="${APP_URL}/verify-email?token=${secret}"`);
    expect(mail.html).toContain(secret);

    const verified = await run(emailCalls.verifyEmail(secret));
    expect(verified.data).toMatchObject({ id: account.session.user.id, email: account.email, emailVerified: true });
    expect((await run(authCalls.me(), account.session.token)).data?.emailVerified).toBe(true);

    expectCode(await run(emailCalls.verifyEmail(secret)), 'INVALID_TOKEN', 400);
  });

  it('escapes what the user typed in the HTML part', async () => {
    const account = await newAccount({ firstName: '<b>Ada</b> & "Co"' });
    const mail = await smtp.nextMail(account.email, VERIFY);
    expect(mail.html).toContain('&lt;b&gt;Ada&lt;/b&gt; &amp; &quot;Co&quot;');
    expect(mail.html).not.toContain('<b>Ada</b>');
    expect(mail.text).toContain('Hello,');
  });

  it('leaves a name that could carry a link out of the plain-text part', async () => {
    const firstName = 'Win http://evil.example/x www.evil.example evil.com';
    const account = await newAccount({ firstName });
    const mail = await smtp.nextMail(account.email, VERIFY);
    for (const link of ['evil.example', 'evil.com', 'http://evil', 'www.']) expect(mail.text).not.toContain(link);
    expect(mail.subject).not.toContain('evil');
  });

  it('resendVerificationEmail mails a new link and the previous one stops working', async () => {
    const account = await newAccount();
    const first = token(await smtp.nextMail(account.email, VERIFY), '/verify-email');
    expect(await run(emailCalls.resendVerificationEmail(), account.session.token)).toMatchObject({ data: true, status: 200 });
    const second = token(await smtp.nextMail(account.email, VERIFY, { after: 1 }), '/verify-email');
    expect(second).not.toBe(first);

    expectCode(await run(emailCalls.verifyEmail(first)), 'INVALID_TOKEN', 400);
    expect((await run(emailCalls.verifyEmail(second))).data?.emailVerified).toBe(true);
    expectCode(await run(emailCalls.resendVerificationEmail(), account.session.token), 'EMAIL_ALREADY_VERIFIED', 409);
    expectCode(await run(emailCalls.resendVerificationEmail()), 'UNAUTHENTICATED', 401);
  });

  it('resets a password: every old session ends, a new pair works, the token works once and a notice follows', async () => {
    const account = await newAccount();
    expect(await run(emailCalls.requestPasswordReset(`  ${account.email.toUpperCase()} `))).toMatchObject({ data: true, status: 200 });
    const mail = await smtp.nextMail(account.email, RESET);
    const secret = token(mail, '/reset-password');
    expect(mail.text).toContain(`${APP_URL}/reset-password?token=${secret}`);
    expect(mail.text).toContain('expires in 1 hour');

    const reset = await run(emailCalls.resetPassword(secret, 'a brand new passphrase'));
    expect(reset.data).toMatchObject({ user: { email: account.email, emailVerified: true }, permissions: [] });
    expect((await run(authCalls.me(), reset.data!.token)).data?.email).toBe(account.email);

    expectCode(await run(authCalls.me(), account.session.token), 'UNAUTHENTICATED', 401);
    expectCode(await run(authCalls.refresh(account.session.refreshToken)), 'INVALID_REFRESH_TOKEN', 401);
    expectCode(await run(authCalls.login(account.email, account.password)), 'INVALID_CREDENTIALS', 401);
    expect((await run(authCalls.login(account.email, 'a brand new passphrase'))).data?.user.email).toBe(account.email);

    expectCode(await run(emailCalls.resetPassword(secret, 'yet another passphrase')), 'INVALID_TOKEN', 400);
    const notice = await smtp.nextMail(account.email, CHANGED);
    expect(notice.text).toContain(`${APP_URL}/reset-password`);
    expect(notice.html).toContain(account.email);
  });

  it('never lets a reset link stand in for the second factor: with TOTP on, the reset answers MFA_REQUIRED and verifyMfa completes it', async () => {
    const account = await newAccount();
    // Enrolling needs a confirmed address while mail goes out.
    expect((await run(emailCalls.verifyEmail(token(await smtp.nextMail(account.email, VERIFY), '/verify-email')))).data?.emailVerified).toBe(true);
    const enrollment = await run(mfaCalls.enroll(), account.session.token);
    const secret = enrollment.data!.secret;
    const recoveryCodes = (await run(mfaCalls.confirm(TOTP.generate({ secret: Secret.fromBase32(secret) })), account.session.token)).data!;
    expect(recoveryCodes).toHaveLength(10);

    expect((await run(emailCalls.requestPasswordReset(account.email))).data).toBe(true);
    const reset = await run(emailCalls.resetPassword(token(await smtp.nextMail(account.email, RESET), '/reset-password'), 'a passphrase after reset'));
    expectCode(reset, 'MFA_REQUIRED', 401);
    expect(reset.data).toBeUndefined();
    const mfaToken = reset.extensions?.mfaToken;
    expect(typeof mfaToken).toBe('string');

    // Until the second factor is given, the reset has changed nothing: someone holding only the
    // mailbox cannot lock the owner out.
    expectCode(await run(authCalls.login(account.email, account.password)), 'MFA_REQUIRED', 401);
    expectCode(await run(authCalls.login(account.email, 'a passphrase after reset')), 'INVALID_CREDENTIALS', 401);
    expect((await run(authCalls.me(), account.session.token)).data?.email).toBe(account.email);
    const owner = await run(authCalls.refresh(account.session.refreshToken));
    expect(owner.data?.token).toBeDefined();
    expect(await changedNoticesTo(account.email)).toBe(0);

    const completed = await run(mfaCalls.verify(mfaToken as string, recoveryCodes[0]!));
    expect(completed.data?.user.email).toBe(account.email);
    expect((await run(authCalls.me(), completed.data!.token)).data?.email).toBe(account.email);
    expectCode(await run(authCalls.me(), account.session.token), 'UNAUTHENTICATED', 401);
    expectCode(await run(authCalls.refresh(owner.data!.refreshToken)), 'INVALID_REFRESH_TOKEN', 401);
    expectCode(await run(authCalls.login(account.email, account.password)), 'INVALID_CREDENTIALS', 401);
    expectCode(await run(authCalls.login(account.email, 'a passphrase after reset')), 'MFA_REQUIRED', 401);
    expect(await changedNoticesTo(account.email)).toBe(1);
    expect((await smtp.nextMail(account.email, CHANGED)).text).toContain(account.email);
  });

  it('leaves a reset waiting on the second factor undone after a wrong code, and applies it with the right one', async () => {
    const account = await newAccount();
    expect((await run(emailCalls.verifyEmail(token(await smtp.nextMail(account.email, VERIFY), '/verify-email')))).data?.emailVerified).toBe(true);
    const secret = (await run(mfaCalls.enroll(), account.session.token)).data!.secret;
    const confirmed = await run(mfaCalls.confirm(TOTP.generate({ secret: Secret.fromBase32(secret) })), account.session.token);
    expect(confirmed.data).toHaveLength(10);

    await run(emailCalls.requestPasswordReset(account.email));
    const reset = await run(emailCalls.resetPassword(token(await smtp.nextMail(account.email, RESET), '/reset-password'), 'the reset passphrase'));
    const mfaToken = reset.extensions?.mfaToken as string;
    expectCode(await run(mfaCalls.verify(mfaToken, 'not-the-code')), 'INVALID_MFA_CODE', 401);
    expectCode(await run(authCalls.login(account.email, 'the reset passphrase')), 'INVALID_CREDENTIALS', 401);
    expect((await run(authCalls.me(), account.session.token)).data?.email).toBe(account.email);

    // The next time step: the code that confirmed the enrolment is spent (RFC 6238 5.2).
    const next = TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + 30_000 });
    expect((await run(mfaCalls.verify(mfaToken, next))).data?.user.emailVerified).toBe(true);
    expectCode(await run(authCalls.login(account.email, 'the reset passphrase')), 'MFA_REQUIRED', 401);
  });

  it('refuses a reset of a disabled account with ACCOUNT_DISABLED, changing nothing', async () => {
    const account = await newAccount();
    expect((await run(emailCalls.requestPasswordReset(account.email))).data).toBe(true);
    const secret = token(await smtp.nextMail(account.email, RESET), '/reset-password');
    await server.running.services.lifecycle.disable(account.session.user.id);
    expectCode(await run(emailCalls.resetPassword(secret, 'a passphrase while locked')), 'ACCOUNT_DISABLED', 403);
    await server.running.services.lifecycle.enable(account.session.user.id);
    expect((await run(authCalls.login(account.email, account.password))).data?.user.email).toBe(account.email);
  });

  it('applies the password policy before using the token, which then still works', async () => {
    const account = await newAccount();
    await run(emailCalls.requestPasswordReset(account.email));
    const secret = token(await smtp.nextMail(account.email, RESET), '/reset-password');
    expectCode(await run(emailCalls.resetPassword(secret, 'short')), 'BAD_USER_INPUT', 400);
    expect((await run(emailCalls.resetPassword(secret, 'long enough passphrase'))).data?.user.email).toBe(account.email);
  });

  it('lets exactly one of two concurrent resets with one token succeed', async () => {
    const account = await newAccount();
    await run(emailCalls.requestPasswordReset(account.email));
    const secret = token(await smtp.nextMail(account.email, RESET), '/reset-password');
    const outcomes = await Promise.all([
      run(emailCalls.resetPassword(secret, 'first racing passphrase')),
      run(emailCalls.resetPassword(secret, 'second racing passphrase')),
    ]);
    expect(outcomes.filter((outcome) => outcome.data)).toHaveLength(1);
    const [refused] = outcomes.filter((outcome) => !outcome.data);
    expectCode(refused!, 'INVALID_TOKEN', 400);
    const winner = outcomes.findIndex((outcome) => outcome.data);
    const password = winner === 0 ? 'first racing passphrase' : 'second racing passphrase';
    expect((await run(authCalls.login(account.email, password))).data).toBeDefined();
  });

  it('only the newest reset link works', async () => {
    const account = await newAccount();
    await run(emailCalls.requestPasswordReset(account.email));
    const first = token(await smtp.nextMail(account.email, RESET), '/reset-password');
    await run(emailCalls.requestPasswordReset(account.email));
    const second = token(await smtp.nextMail(account.email, RESET, { after: 1 }), '/reset-password');
    expectCode(await run(emailCalls.resetPassword(first, 'the first link passphrase')), 'INVALID_TOKEN', 400);
    expect((await run(emailCalls.resetPassword(second, 'the second link passphrase'))).data).toBeDefined();
  });

  it('never accepts a token for another purpose than its own', async () => {
    const account = await newAccount();
    const verification = token(await smtp.nextMail(account.email, VERIFY), '/verify-email');
    await run(emailCalls.requestPasswordReset(account.email));
    const reset = token(await smtp.nextMail(account.email, RESET), '/reset-password');

    expectCode(await run(emailCalls.resetPassword(verification, 'cross purpose passphrase')), 'INVALID_TOKEN', 400);
    expectCode(await run(emailCalls.verifyEmail(reset)), 'INVALID_TOKEN', 400);
    // Refused, and not used up by the refusal.
    expect((await run(emailCalls.verifyEmail(verification))).data?.emailVerified).toBe(true);
    expect((await run(emailCalls.resetPassword(reset, 'right purpose passphrase'))).data).toBeDefined();
  });

  it('answers an unknown token, a malformed one and an empty one alike', async () => {
    for (const bogus of ['A'.repeat(43), 'not a token', '', 'x'.repeat(129)]) {
      expectCode(await run(emailCalls.verifyEmail(bogus)), 'INVALID_TOKEN', 400);
      expectCode(await run(emailCalls.resetPassword(bogus, 'some fine passphrase')), 'INVALID_TOKEN', 400);
    }
  });

  it('answers true for an unknown email and mails nobody', async () => {
    const unknown = uniqueEmail('nobody');
    const known = await newAccount();
    expect(await run(emailCalls.requestPasswordReset(unknown))).toMatchObject({ data: true, status: 200 });
    expect(await run(emailCalls.requestPasswordReset('not-an-email'))).toMatchObject({ data: true, status: 200 });
    expect(await run(emailCalls.requestPasswordReset(known.email))).toMatchObject({ data: true, status: 200 });
    // Mail goes out in outbox order: once the later request's mail is here, the earlier would be.
    await smtp.nextMail(known.email, RESET);
    expect(smtp.mailsTo(unknown)).toEqual([]);
    expect(await outboxRowsTo(unknown)).toEqual([]);
  });

  it('mails the same notice when the password is changed while logged in', async () => {
    const account = await newAccount();
    const changed = await run(authCalls.changePassword(account.password, 'changed while logged in'), account.session.token);
    expect(changed.data).toBeDefined();
    const notice = await smtp.nextMail(account.email, CHANGED);
    expect(notice.text).toContain(account.email);
  });
});

describe('email on the REST surface', () => {
  it.each([
    ['/reset-password?token=abc', { newPassword: 'some fine passphrase' }],
    ['/reset-password?newPassword=abc', { token: 'abc' }],
    ['/verify-email?token=abc', {}],
  ])('refuses secrets in the query string: POST %s', async (path, body) => {
    const response = await server.rest<{ errors: { extensions: { code: string } }[] }>('POST', path, { body });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('the outbox', () => {
  it('keeps mail while SMTP is down, stays ready, and delivers once SMTP is back', async () => {
    const failedBefore = await metric('janus_mail_deliveries_total{outcome="failed"}');
    await smtp.stop();
    try {
      const account = await newAccount();
      await waitFor(async () => (await outboxRowsTo(account.email))[0]?.attempts === 1, 'a failed attempt');
      await waitFor(async () => (await metric('janus_mail_deliveries_total{outcome="failed"}')) > failedBefore, 'the failure to be counted');
      expect(await metric('janus_mail_outbox_backlog')).toBeGreaterThanOrEqual(1);
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
      // Requests that queue mail still succeed while it waits.
      expect((await server.rest('POST', '/request-password-reset', { body: { email: account.email } })).status).toBe(200);
      const [row] = await outboxRowsTo(account.email);
      expect(row!.sent_at).toBeNull();

      await smtp.start();
      const verification = await smtp.nextMail(account.email, VERIFY, { timeoutMs: 30_000 });
      const reset = await smtp.nextMail(account.email, RESET, { timeoutMs: 30_000 });
      // Each mail arrives once, and the bodies that held the tokens are emptied once sent.
      expect(smtp.mailsTo(account.email)).toHaveLength(2);
      expect(verification.messageId).not.toBe(reset.messageId);
      await waitFor(async () => (await outboxRowsTo(account.email)).every((sent) => sent.sent_at && sent.text_body === ''), 'the rows to be marked sent');
      // Mails of earlier tests that met the outage are in their backoff: the backlog empties as they go out.
      await waitFor(async () => (await metric('janus_mail_outbox_backlog')) === 0, 'the backlog to empty', 60_000);
      expect(await metric('janus_mail_deliveries_total{outcome="delivered"}')).toBeGreaterThan(0);
    } finally {
      await smtp.start();
    }
  });

  it('records each flow in the audit trail, and no token in any log line or audit row', async () => {
    const rows = await server.running.database.orm.em
      .getConnection()
      .execute<{ event: string }[]>('select distinct event from audit_events');
    expect(rows.map((row) => row.event)).toEqual(
      expect.arrayContaining(['email.verification_sent', 'email.verified', 'password.reset_requested', 'password.reset', 'password.change']),
    );
    const audit = JSON.stringify(await server.running.database.orm.em.getConnection().execute('select * from audit_events'));
    const logs = log.text();
    expect(tokensSeen.length).toBeGreaterThan(10);
    for (const secret of tokensSeen) {
      expect(audit).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});
