import { afterAll, beforeAll, expect, it } from 'vitest';
import { composition } from '../../src/app/composition.ts';
import type { AccountMail } from '../../src/accounts/account-mail.ts';
import { createEmailFlows } from '../../src/accounts/email-flows.ts';
import { createPasswordHasher } from '../../src/accounts/passwords.ts';
import { createAccountService } from '../../src/accounts/service.ts';
import { createSessionRule } from '../../src/accounts/session-rule.ts';
import { createAuditLog } from '../../src/audit/service.ts';
import { openDatabase, type Database } from '../../src/db/orm.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createOutbox } from '../../src/mail/outbox.ts';
import { startMailSender } from '../../src/mail/sender.ts';
import { smtpTransport } from '../../src/mail/transport.ts';
import { createOneTimeTokens } from '../../src/onetime-tokens/service.ts';
import type { TokenService } from '../../src/tokens/service.ts';
import { accountMailFor } from '../support/account-mail.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { registration, uniqueEmail } from '../support/server.ts';
import { startTestSmtp, type TestSmtp } from '../support/smtp.ts';

let testDb: TestDatabase;
let database: Database;
let smtp: TestSmtp;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, modules: composition });
  smtp = await startTestSmtp();
});
afterAll(async () => {
  await smtp?.stop();
  await database?.close();
  await testDb?.dispose();
});

const noSessions: Pick<TokenService, 'startSession' | 'revokeEverything' | 'invalidate'> = {
  startSession: () => Promise.reject(new Error('not used')),
  revokeEverything: () => Promise.reject(new Error('not used')),
  invalidate: () => undefined,
};
const noMfa = { startChallenge: () => Promise.reject(new Error('not used')) };
const sessionRule = createSessionRule({ requireVerifiedEmail: false });

it('does the same work for a reset request whether or not the email has an account', async () => {
  const real = accountMailFor(database.orm);
  const steps: string[] = [];
  const knownEmail = uniqueEmail('known');
  const counting: AccountMail = {
    ...real,
    prepareReset: (user) => (steps.push('prepare'), real.prepareReset(user)),
    queueReset: (em, user, prepared) => (steps.push(user.email === knownEmail ? 'queue' : 'queue-decoy'), real.queueReset(em, user, prepared)),
  };
  const audit = createAuditLog({ orm: database.orm });
  const passwords = createPasswordHasher(4);
  const accounts = createAccountService({ orm: database.orm, passwords, tokens: noSessions, mfa: noMfa, audit, mail: real, sessionRule });
  const flows = createEmailFlows({ orm: database.orm, passwords, tokens: noSessions, oneTimeTokens: createOneTimeTokens({ ttlSeconds: { reset_password: 60, verify_email: 60 } }), mfa: noMfa, mail: counting, audit, sessionRule });
  const known = await accounts.createAccount(registration({ email: knownEmail }));
  const auditRows = async () =>
    Number((await database.orm.em.getConnection().execute<{ count: string }[]>(`select count(*) as count from audit_events where event = 'password.reset_requested'`))[0]!.count);

  for (const email of [uniqueEmail('nobody'), 'malformed']) {
    steps.length = 0;
    const before = await auditRows();
    await flows.requestPasswordReset(email);
    // A token and a whole mail are made and pass the throttle and the same statements in a
    // committed transaction, only nothing is stored or queued (the decoy's id matches no user).
    expect(steps).toEqual(['prepare', 'queue-decoy']);
    expect(await auditRows()).toBe(before + 1);
  }
  steps.length = 0;
  const before = await auditRows();
  await flows.requestPasswordReset(known.email);
  expect(steps).toEqual(['prepare', 'queue']);
  expect(await auditRows()).toBe(before + 1);
});

it('delivers every queued mail exactly once with two senders claiming from one outbox', async () => {
  const outbox = createOutbox({ orm: database.orm, enabled: true });
  const recipient = uniqueEmail('many');
  const count = 30;
  await database.orm.em.fork().transactional(async (em) => {
    for (let index = 0; index < count; index += 1) {
      outbox.enqueue(em, { to: recipient, subject: `Mail ${index}`, text: `body ${index}`, html: `<p>body ${index}</p>` }, null);
    }
  });
  const logger = createLogger('silent');
  // Two senders, as two instances would run them, each on its own pooled connections.
  const senders = [1, 2].map(() => startMailSender({ outbox, transport: smtpTransport(smtp.url, 'janus@example.test'), logger, pollMs: 20 }));
  try {
    await smtp.nextMail(recipient, undefined, { after: count - 1, timeoutMs: 30_000 });
    // Both keep polling a while longer: a second delivery of any row would arrive now.
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    await Promise.all(senders.map((sender) => sender.stop()));
  }
  const subjects = smtp.mailsTo(recipient).map((mail) => mail.subject);
  expect(subjects).toHaveLength(count);
  expect(new Set(subjects).size).toBe(count);
  expect(await outbox.backlog()).toBe(0);
});

it('delivers each mail exactly once when SMTP is slower than the lease: two senders claim row by row and renew while sending', async () => {
  const slowSmtp = await startTestSmtp({ delayMs: 900 });
  const recipient = uniqueEmail('slow');
  const count = 6;
  const queueing = createOutbox({ orm: database.orm, enabled: true });
  await database.orm.em.fork().transactional(async (em) => {
    for (let index = 0; index < count; index += 1) {
      queueing.enqueue(em, { to: recipient, subject: `Slow ${index}`, text: `body ${index}`, html: `<p>body ${index}</p>` }, null);
    }
  });
  const logger = createLogger('silent');
  const delivered = [0, 0];
  // Two instances: each its own outbox and sender, a lease far shorter than one SMTP exchange.
  const senders = [0, 1].map((instance) =>
    startMailSender({
      outbox: createOutbox({ orm: database.orm, enabled: true }),
      transport: smtpTransport(slowSmtp.url, 'janus@example.test'),
      logger,
      pollMs: 20,
      leaseMs: 300,
      observe: (outcome) => {
        if (outcome === 'delivered') delivered[instance]! += 1;
      },
    }),
  );
  try {
    await slowSmtp.nextMail(recipient, undefined, { after: count - 1, timeoutMs: 30_000 });
    // Longer than a lease and an SMTP exchange: a row taken again would arrive by now.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  } finally {
    await Promise.all(senders.map((sender) => sender.stop()));
    await slowSmtp.stop();
  }
  const subjects = slowSmtp.mailsTo(recipient).map((mail) => mail.subject);
  expect(subjects).toHaveLength(count);
  expect(new Set(subjects).size).toBe(count);
  // Each sender took rows one at a time: both delivered some.
  expect(delivered.every((n) => n > 0)).toBe(true);
  const rows = await database.orm.em
    .getConnection()
    .execute<{ status: string; attempts: number; claim_token: string | null; text_body: string }[]>('select status, attempts, claim_token, text_body from outbox where recipient = ?', [recipient]);
  expect(rows).toHaveLength(count);
  for (const row of rows) expect(row).toEqual({ status: 'sent', attempts: 1, claim_token: null, text_body: '' });
});

it('completes a row only while holding its claim: a sender whose lease was taken over cannot mark it', async () => {
  const outbox = createOutbox({ orm: database.orm, enabled: true });
  const recipient = uniqueEmail('lease');
  await database.orm.em.fork().transactional(async (em) => outbox.enqueue(em, { to: recipient, subject: 'Lease', text: 't', html: 'h' }, null));
  // Due rows of earlier tests are long delivered: the next claim is this row.
  const first = await outbox.claim(1);
  expect(first?.to).toBe(recipient);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = await outbox.claim(60_000);
  expect(second?.id).toBe(first!.id);
  expect(second!.attempt).toBe(2);
  expect(await outbox.markSent(first!)).toBe(false);
  expect(await outbox.markFailed(first!, 'late', null)).toBe(false);
  expect(await outbox.renew(first!, 60_000)).toBe(false);
  expect(await outbox.markFailed(second!, '550 mailbox unavailable', new Date(Date.now() + 60_000))).toBe(true);
  const [row] = await database.orm.em
    .getConnection()
    .execute<{ status: string; attempts: number; last_error: string }[]>('select status, attempts, last_error from outbox where id = ?', [first!.id]);
  expect(row).toEqual({ status: 'failed', attempts: 2, last_error: '550 mailbox unavailable' });
});
