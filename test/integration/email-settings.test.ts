import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authCalls } from '../support/auth-calls.ts';
import { emailCalls } from '../support/email-calls.ts';
import type { AuthPayloadFields } from '../support/operations.ts';
import { capturingLogger, registration, startTestServer, type TestServer } from '../support/server.ts';
import { startTestSmtp, tokenOf, type ReceivedMail, type TestSmtp } from '../support/smtp.ts';
import { perform, SURFACES } from '../support/surfaces.ts';

async function register(server: TestServer) {
  const input = registration();
  const response = await server.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
  expect(response.status).toBe(200);
  return { ...input, email: input.email.toLowerCase(), session: response.body };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('tokens past their lifetime (JANUS_RESET_TOKEN_TTL=1, JANUS_VERIFY_TOKEN_TTL=1)', () => {
  let smtp: TestSmtp;
  let server: TestServer;
  beforeAll(async () => {
    smtp = await startTestSmtp();
    server = await startTestServer({ JANUS_SMTP_URL: smtp.url, JANUS_RESET_TOKEN_TTL: '1', JANUS_VERIFY_TOKEN_TTL: '1' });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  it.each(SURFACES)('refuses an expired verification or reset token with INVALID_TOKEN on %s', async (surface) => {
    const account = await register(server);
    const verification = tokenOf(await smtp.nextMail(account.email, /confirm/i), '/verify-email');
    await perform(server, surface, emailCalls.requestPasswordReset(account.email));
    const reset = await smtp.nextMail(account.email, /reset/i);
    expect(reset.text).toContain('expires in 1 second');
    const resetToken = tokenOf(reset, '/reset-password');
    await sleep(1_100);

    const verified = await perform(server, surface, emailCalls.verifyEmail(verification));
    expect(verified).toMatchObject({ code: 'INVALID_TOKEN', status: surface === 'rest' ? 400 : 200 });
    const resetOutcome = await perform(server, surface, emailCalls.resetPassword(resetToken, 'too late a passphrase'));
    expect(resetOutcome).toMatchObject({ code: 'INVALID_TOKEN', status: surface === 'rest' ? 400 : 200 });
  });
});

describe('without JANUS_SMTP_URL, with JANUS_REQUIRE_VERIFIED_EMAIL=true', () => {
  let server: TestServer;
  const log = capturingLogger('info');
  beforeAll(async () => {
    server = await startTestServer({ JANUS_REQUIRE_VERIFIED_EMAIL: 'true', JANUS_APP_URL: 'http://localhost:5173/' }, undefined, log.logger);
  });
  afterAll(() => server?.close());

  /** The .eml files the log reports, parsed, for one recipient. */
  async function emlFilesTo(email: string): Promise<ReceivedMail[]> {
    const files = log.lines().filter((line) => line.msg === 'mail written').map((line) => String(line.file));
    const mails = await Promise.all(
      files.map(async (file) => {
        const parsed = await simpleParser(await readFile(file));
        const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
        return { to: to?.value[0]?.address ?? '', subject: parsed.subject ?? '', text: parsed.text ?? '', html: String(parsed.html), messageId: parsed.messageId, parsed };
      }),
    );
    return mails.filter((mail) => mail.to === email);
  }

  async function verificationFile(email: string): Promise<ReceivedMail> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const [mail] = await emlFilesTo(email);
      if (mail) return mail;
      if (Date.now() > deadline) throw new Error(`no .eml file to ${email}`);
      await sleep(50);
    }
  }

  it('writes each mail as an .eml file under JANUS_DATA_DIR/mail and logs where, never the token', async () => {
    const account = await register(server);
    const mail = await verificationFile(account.email);
    const token = tokenOf(mail, '/verify-email');
    expect(mail.text).toContain(`http://localhost:5173/verify-email?token=${token}`);
    const dir = path.join(server.database.dataDir, 'mail');
    expect((await readdir(dir)).some((file) => file.endsWith('.eml'))).toBe(true);
    expect(log.lines().some((line) => line.msg === 'no JANUS_SMTP_URL: mail is written as .eml files' && line.dir === dir)).toBe(true);
    expect(log.text()).not.toContain(token);
  });

  /** The raw text of the .eml file the log reports for one recipient, as `cat` shows it. */
  async function rawEmlTo(email: string): Promise<string> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const files = log.lines().filter((line) => line.msg === 'mail written').map((line) => String(line.file));
      for (const file of files) {
        const raw = await readFile(file, 'utf8');
        if (raw.includes(`\nTo: ${email}\n`)) return raw;
      }
      if (Date.now() > deadline) throw new Error(`no .eml file to ${email}`);
      await sleep(50);
    }
  }

  it.each(SURFACES)('writes the link and the code as plain text that survives `cat`: copied from the raw file, the token verifies the address on %s', async (surface) => {
    const account = await register(server);
    const raw = await rawEmlTo(account.email);
    // No quoted-printable: no soft line break (`=` at a line's end) and no `=3D` for `=`.
    expect(raw).not.toMatch(/=\r?\n|=3D/);
    const link = /^http:\/\/localhost:5173\/verify-email\?token=([A-Za-z0-9_-]{43})$/m.exec(raw);
    expect(link).not.toBeNull();
    const token = link![1]!;
    // The code on its own line, and the same link in the HTML part.
    expect(raw).toMatch(new RegExp(`^${token}$`, 'm'));
    expect(raw).toContain(`href="http://localhost:5173/verify-email?token=${token}"`);
    expect((await perform(server, surface, emailCalls.verifyEmail(token))).data?.emailVerified).toBe(true);
  });

  it.each(SURFACES)('answers EMAIL_NOT_VERIFIED (403) to the right password of an unconfirmed account on %s, and logs it in once confirmed', async (surface) => {
    const account = await register(server);
    const refused = await perform(server, surface, authCalls.login(account.email, account.password));
    expect(refused).toMatchObject({ code: 'EMAIL_NOT_VERIFIED', status: surface === 'rest' ? 403 : 200 });
    const wrong = await perform(server, surface, authCalls.login(account.email, 'not the password'));
    expect(wrong).toMatchObject({ code: 'INVALID_CREDENTIALS', status: surface === 'rest' ? 401 : 200 });

    const token = tokenOf(await verificationFile(account.email), '/verify-email');
    expect((await perform(server, surface, emailCalls.verifyEmail(token))).data?.emailVerified).toBe(true);
    expect((await perform(server, surface, authCalls.login(account.email, account.password))).data?.user.email).toBe(account.email);
  });
});

describe('in production without JANUS_SMTP_URL', () => {
  it('starts, and says once that mail is disabled', async () => {
    const log = capturingLogger('info');
    const server = await startTestServer({ NODE_ENV: 'production', JANUS_ENCRYPTION_KEY: 'ab'.repeat(32) }, undefined, log.logger);
    try {
      const account = await register(server);
      expect(account.session.user.emailVerified).toBe(false);
      const disabled = log.lines().filter((line) => String(line.msg).startsWith('mail is disabled'));
      expect(disabled).toHaveLength(1);
      const queued = await server.running.database.orm.em.getConnection().execute<{ count: string }[]>('select count(*) as count from outbox');
      expect(Number(queued[0]!.count)).toBe(0);
    } finally {
      await server.close();
    }
  });
});
