import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authCalls } from '../support/auth-calls.ts';
import { emailCalls } from '../support/email-calls.ts';
import { registration, startTestServer, type TestServer } from '../support/server.ts';
import { startTestSmtp, tokenOf, type TestSmtp } from '../support/smtp.ts';
import { perform, SURFACES, type Surface } from '../support/surfaces.ts';

const VERIFY = /confirm your email/i;
const ATTEMPT = /tried to register/i;

let smtp: TestSmtp;
let server: TestServer;

beforeAll(async () => {
  smtp = await startTestSmtp();
  server = await startTestServer({ JANUS_SMTP_URL: smtp.url, JANUS_REQUIRE_VERIFIED_EMAIL: 'true' });
});
afterAll(async () => {
  await server?.close();
  await smtp?.stop();
});

async function count(sql: string, values: unknown[]): Promise<number> {
  const rows = await server.running.database.orm.em.getConnection().execute<{ count: string }[]>(sql, values);
  return Number(rows[0]!.count);
}

describe.each(SURFACES)('JANUS_REQUIRE_VERIFIED_EMAIL=true on %s', (surface: Surface) => {
  it('registers without a session: no tokens until the mailed link is used, and login answers EMAIL_NOT_VERIFIED meanwhile', async () => {
    const input = registration();
    const registered = await perform(server, surface, authCalls.register(input));
    expect(registered.status).toBe(200);
    expect(registered.data).toMatchObject({ token: null, refreshToken: null, permissions: [], user: { email: input.email, emailVerified: false, role: 'employee' } });
    const userId = registered.data!.user.id;
    expect(await count('select count(*) as count from sessions where user_id = ?', [userId])).toBe(0);

    const refused = await perform(server, surface, authCalls.login(input.email, input.password));
    expect(refused).toMatchObject({ code: 'EMAIL_NOT_VERIFIED', status: surface === 'rest' ? 403 : 200 });

    const token = tokenOf(await smtp.nextMail(input.email, VERIFY), '/verify-email');
    expect((await perform(server, surface, emailCalls.verifyEmail(token))).data).toMatchObject({ id: userId, emailVerified: true });
    const login = await perform(server, surface, authCalls.login(input.email, input.password));
    expect(login.data?.token).toEqual(expect.any(String));
    expect(login.data?.refreshToken).toEqual(expect.any(String));
  });

  it('answers a taken address as a new one (same shape, a decoy id, no tokens) and mails its owner instead', async () => {
    const owner = registration();
    const first = await perform(server, surface, authCalls.register(owner));
    const ownerId = first.data!.user.id;
    await smtp.nextMail(owner.email, VERIFY);

    const again = await perform(server, surface, authCalls.register({ ...owner, email: owner.email.toUpperCase(), password: 'another passphrase', firstName: 'Eve' }));
    const fresh = await perform(server, surface, authCalls.register(registration()));
    expect(again.status).toBe(200);
    expect(again.code).toBeUndefined();
    expect(again.data).toMatchObject({ token: null, refreshToken: null, permissions: [], user: { email: owner.email, firstName: 'Eve', emailVerified: false, role: 'employee' } });
    // The same fields as a new account's answer, and an id that is not the owner's (nor any user's).
    expect(Object.keys(again.data!).sort()).toEqual(Object.keys(fresh.data!).sort());
    expect(Object.keys(again.data!.user).sort()).toEqual(Object.keys(fresh.data!.user).sort());
    expect(again.data!.user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.data!.user.id).not.toBe(ownerId);
    expect(await count('select count(*) as count from users where id = ?', [again.data!.user.id])).toBe(0);
    expect(await count('select count(*) as count from users where email = ?', [owner.email])).toBe(1);

    const notice = await smtp.nextMail(owner.email, ATTEMPT);
    expect(notice.text).toContain(owner.email);
    expect(notice.text).not.toContain('Eve');
    // No new verification link for the owner's address, and the owner's password still works once confirmed.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.mailsTo(owner.email).filter((mail) => VERIFY.test(mail.subject))).toHaveLength(1);
    const refused = await perform(server, surface, authCalls.login(owner.email, 'another passphrase'));
    expect(refused.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a role that is not self-assignable alike for a new and a taken address', async () => {
    const owner = registration();
    await perform(server, surface, authCalls.register(owner));
    for (const email of [owner.email, registration().email]) {
      expect((await perform(server, surface, authCalls.register({ ...registration({ role: 'admin' }), email }))).code).toBe('ROLE_NOT_ALLOWED');
    }
  });
});
