import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCalls } from '../support/account-calls.ts';
import { authCalls } from '../support/auth-calls.ts';
import { emailCalls } from '../support/email-calls.ts';
import { mfaCalls } from '../support/mfa-calls.ts';
import type { AuthPayloadFields } from '../support/operations.ts';
import { accountWithRole, confirmAddress, registration, startTestServer, type TestServer } from '../support/server.ts';
import { startTestSmtp, type TestSmtp } from '../support/smtp.ts';
import { perform, SURFACES, type Surface } from '../support/surfaces.ts';

let smtp: TestSmtp;
let server: TestServer;

beforeAll(async () => {
  smtp = await startTestSmtp();
  server = await startTestServer({ JANUS_SMTP_URL: smtp.url });
});
afterAll(async () => {
  await server?.close();
  await smtp?.stop();
});

const sql = <T>(text: string, values: unknown[] = []) => server.running.database.orm.em.getConnection().execute<T[]>(text, values);

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every table and column of the database (information_schema) whose text holds `needle`, in any case. */
async function placesHolding(needle: string): Promise<string[]> {
  const columns = await sql<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns where table_schema = current_schema() order by table_name, column_name`,
  );
  expect(columns.length).toBeGreaterThan(20);
  const found: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    const rows = await sql<{ count: string }>(`select count(*) as count from "${table}" where strpos(lower("${column}"::text), ?) > 0`, [needle.toLowerCase()]);
    if (Number(rows[0]!.count) > 0) found.push(`${table}.${column}`);
  }
  return found;
}

const erasures = {
  deleteMe: async (surface: Surface, account: { token: string; password: string }) =>
    perform(server, surface, accountCalls.deleteMe(account.password), account.token),
  deleteUser: async (surface: Surface, account: { id: string }) =>
    perform(server, surface, accountCalls.deleteUser(account.id), (await accountWithRole(server, 'admin')).token),
};

describe.each(SURFACES)('erasure on %s', (surface: Surface) => {
  it.each(Object.keys(erasures) as (keyof typeof erasures)[])('%s leaves no trace of the address, cancels queued mail and keeps only a tombstone id in the audit trail', async (operation) => {
    const input = registration({ email: `Erase.Me-${Date.now()}-${surface}@Example.com`, firstName: 'Erasable' });
    const email = input.email.toLowerCase();
    const registered = await server.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
    expect(registered.status).toBe(200);
    const id = registered.body.user.id;
    await smtp.nextMail(email);
    const login = await perform(server, surface, authCalls.login(input.email, input.password));
    const token = login.data!.token!;
    expect((await perform(server, surface, emailCalls.requestPasswordReset(email))).data).toBe(true);
    expect((await perform(server, surface, emailCalls.resendVerificationEmail(), token)).data).toBe(true);
    // Enrolling a second factor needs a confirmed address (mfa.md).
    await confirmAddress(server, id);
    const secret = (await perform(server, surface, mfaCalls.enroll(), token)).data!.secret;
    expect((await perform(server, surface, mfaCalls.confirm(TOTP.generate({ secret: Secret.fromBase32(secret) })), token)).data).toHaveLength(10);
    await smtp.nextMail(email, undefined, { after: 2 });

    // A mail that failed (SMTP down), one given up with the address in its error, one still queued.
    await smtp.stop();
    try {
      expect((await perform(server, surface, emailCalls.requestPasswordReset(email))).data).toBe(true);
      await waitFor(async () => (await sql<{ count: string }>(`select count(*) as count from outbox where user_id = ? and status = 'failed'`, [id]))[0]!.count !== '0', 'a failed attempt');
      await sql(`update outbox set status = 'abandoned', failed_at = now(), last_error = ? where user_id = ? and status = 'failed'`, [`550 <${email}> unknown`, id]);
      // The address is confirmed by now (to enrol the second factor): a second reset mail is the queued one.
      expect((await perform(server, surface, emailCalls.requestPasswordReset(email))).data).toBe(true);
      expect(await placesHolding(email)).toEqual(expect.arrayContaining(['users.email', 'outbox.recipient', 'outbox.last_error']));
      const audited = await sql<{ ip: string | null }>('select ip from audit_events where user_id = ?', [id]);
      expect(audited.some((row) => row.ip)).toBe(true);

      const account = { id, token, password: input.password };
      expect(await erasures[operation](surface, account)).toMatchObject({ data: true, status: 200 });
    } finally {
      await smtp.start();
    }
    const delivered = smtp.mailsTo(email).length;

    expect(await placesHolding(email)).toEqual([]);
    expect(await placesHolding('Erasable')).toEqual([]);
    for (const table of ['sessions', 'one_time_tokens', 'mfa_recovery_codes', 'mfa_challenges', 'user_totp', 'outbox']) {
      expect((await sql<{ count: string }>(`select count(*) as count from "${table}" where user_id = ?`, [id]))[0]!.count, table).toBe('0');
    }
    expect((await sql<{ count: string }>('select count(*) as count from refresh_tokens t join sessions s on s.id = t.session_id where s.user_id = ?', [id]))[0]!.count).toBe('0');
    const tombstones = await sql<{ event: string; ip: string | null; user_agent: string | null }>('select event, ip, user_agent from audit_events where user_id = ?', [id]);
    expect(tombstones.map((row) => row.event)).toEqual(expect.arrayContaining(['registration', 'login.success', 'user.delete']));
    for (const row of tombstones) expect(row).toMatchObject({ ip: null, user_agent: null });

    // The queued mail was cancelled: nothing more reaches the address once SMTP is back.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(smtp.mailsTo(email)).toHaveLength(delivered);
  });
});
