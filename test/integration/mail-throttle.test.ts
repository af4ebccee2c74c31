import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthPayloadFields } from '../support/operations.ts';
import { emailCalls } from '../support/email-calls.ts';
import { registration, startTestServer, type TestServer } from '../support/server.ts';
import { startTestSmtp, tokenOf, type TestSmtp } from '../support/smtp.ts';
import { perform, SURFACES, type Surface } from '../support/surfaces.ts';

const VERIFY = /confirm your email/i;
const RESET = /reset your password/i;

let smtp: TestSmtp;
let server: TestServer;

beforeAll(async () => {
  smtp = await startTestSmtp();
  server = await startTestServer({ JANUS_SMTP_URL: smtp.url, JANUS_MAIL_MIN_INTERVAL: '3600' });
});
afterAll(async () => {
  await server?.close();
  await smtp?.stop();
});

describe.each(SURFACES)('JANUS_MAIL_MIN_INTERVAL on %s', (surface: Surface) => {
  it('sends at most one mail of each kind per address: further requests answer as usual and send nothing', async () => {
    const input = registration();
    const registered = await server.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
    expect(registered.status).toBe(200);
    const link = tokenOf(await smtp.nextMail(input.email, VERIFY), '/verify-email');

    for (let i = 0; i < 3; i += 1) {
      expect(await perform(server, surface, emailCalls.resendVerificationEmail(), registered.body.token)).toMatchObject({ data: true, status: 200 });
      expect(await perform(server, surface, emailCalls.requestPasswordReset(input.email.toUpperCase()))).toMatchObject({ data: true, status: 200 });
    }
    await smtp.nextMail(input.email, RESET);
    // Mail goes out in outbox order: a second mail of either kind would have followed by now.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(smtp.mailsTo(input.email).map((mail) => mail.subject).sort()).toEqual(['Confirm your email address', 'Reset your password']);
    const outbox = await server.running.database.orm.em.getConnection().execute<{ count: string }[]>('select count(*) as count from outbox where recipient = ?', [input.email]);
    expect(Number(outbox[0]!.count)).toBe(2);
    // A throttled resend changed nothing: the link mailed first still works.
    expect((await perform(server, surface, emailCalls.verifyEmail(link))).data?.emailVerified).toBe(true);
  });
});

describe('resendVerificationEmail per caller', () => {
  // 3 calls per client address and, on perUser fields, per caller; each call below comes from a new address.
  const LIMIT = { JANUS_LOGIN_RATE_LIMIT: '3/60', JANUS_TRUST_PROXY: 'true' };
  const freshIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ ...LIMIT, JANUS_SMTP_URL: smtp.url });
  });
  afterAll(() => limited?.close());

  async function registered(): Promise<string> {
    const response = await fetch(`${limited.running.restUrl}/register-user`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIp() },
      body: JSON.stringify(registration()),
    });
    return ((await response.json()) as AuthPayloadFields).token;
  }

  async function resend(surface: Surface, token: string): Promise<{ status: number; code?: string }> {
    const headers = { 'content-type': 'application/json', 'x-forwarded-for': freshIp(), authorization: `Bearer ${token}` };
    const response =
      surface === 'rest'
        ? await fetch(`${limited.running.restUrl}/resend-verification-email`, { method: 'POST', headers })
        : await fetch(limited.running.graphqlUrl, { method: 'POST', headers, body: JSON.stringify({ query: 'mutation { resendVerificationEmail }' }) });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    return { status: response.status, code: body.errors?.[0]?.extensions?.code };
  }

  it.each(SURFACES)('counts one token across client addresses: the call over the limit answers RATE_LIMITED on %s', async (surface) => {
    const token = await registered();
    for (let i = 0; i < 3; i++) expect(await resend(surface, token)).toEqual({ status: 200, code: undefined });
    expect(await resend(surface, token)).toEqual({ status: surface === 'rest' ? 429 : 200, code: 'RATE_LIMITED' });
    // Another caller is not held back by the first one's calls.
    expect(await resend(surface, await registered())).toEqual({ status: 200, code: undefined });
  });
});
