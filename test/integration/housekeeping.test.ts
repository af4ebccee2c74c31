import { randomBytes, randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authCalls } from '../support/auth-calls.ts';
import { mfaCalls } from '../support/mfa-calls.ts';
import type { AuthPayloadFields } from '../support/operations.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { capturingLogger, registration, startTestServer, type TestServer } from '../support/server.ts';
import { perform, SURFACES } from '../support/surfaces.ts';

let database: TestDatabase;
const DAY_MS = 86_400_000;
// Each test starts the server more than once on one database.
const TIMEOUT_MS = 120_000;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.dispose());

function sql<T = unknown>(server: TestServer, query: string, params: unknown[] = []): Promise<T[]> {
  return server.running.database.orm.em.getConnection().execute<T[]>(query, params);
}

const ago = (ms: number) => new Date(Date.now() - ms);
const hash = () => randomBytes(32).toString('hex');

/** Starts the server on the test database and waits for its first housekeeping round's log line. */
async function startAndHousekeep(env: Record<string, string> = {}): Promise<{ server: TestServer; deleted: Record<string, number | undefined> }> {
  const log = capturingLogger('info');
  const server = await startTestServer(env, database, log.logger);
  for (let waited = 0; ; waited += 50) {
    const line = log.lines().find((entry) => entry.msg === 'housekeeping: purged expired rows');
    if (line) return { server, deleted: line.deleted as Record<string, number | undefined> };
    if (waited > 30_000) throw new Error(`no housekeeping line in: ${log.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function register(server: TestServer): Promise<{ id: string; email: string; password: string; token: string }> {
  const input = registration();
  const response = await server.rest<AuthPayloadFields>('POST', '/register-user', { body: input });
  expect(response.status).toBe(200);
  return { id: response.body.user.id, email: input.email, password: input.password, token: response.body.token };
}

it('purges expired one-time tokens, MFA challenges, sign-ins at providers and week-old sent mail in the periodic job, not in a login', { timeout: TIMEOUT_MS }, async () => {
  let { server } = await startAndHousekeep();
  const user = await register(server);
  const ids = { expiredToken: randomUUID(), liveToken: randomUUID(), expiredChallenge: randomUUID(), liveChallenge: randomUUID() };
  const addToken = (id: string, purpose: string, expiresAt: Date) =>
    sql(server, 'insert into one_time_tokens (id, user_id, purpose, token_hash, expires_at, created_at) values (?, ?, ?, ?, ?, ?)', [id, user.id, purpose, hash(), expiresAt, ago(2 * DAY_MS)]);
  await addToken(ids.expiredToken, 'reset_password', ago(1000));
  await addToken(ids.liveToken, 'reset_password', new Date(Date.now() + DAY_MS));
  const addChallenge = (id: string, expiresAt: Date) =>
    sql(server, 'insert into mfa_challenges (id, user_id, token_hash, attempts, expires_at, created_at) values (?, ?, ?, 0, ?, ?)', [id, user.id, hash(), expiresAt, ago(DAY_MS)]);
  await addChallenge(ids.expiredChallenge, ago(1000));
  await addChallenge(ids.liveChallenge, new Date(Date.now() + 60_000));
  const addMail = (subject: string, sentAt: Date | null) =>
    sql(server, "insert into outbox (recipient, subject, text_body, html_body, status, attempts, next_attempt_at, sent_at, created_at) values ('x@example.com', ?, '', '', 'sent', 1, ?, ?, ?)", [subject, ago(9 * DAY_MS), sentAt, ago(9 * DAY_MS)]);
  await addMail('sent 8 days ago', ago(8 * DAY_MS));
  await addMail('sent yesterday', ago(DAY_MS));
  // The OpenID Provider's rows: an expired code goes, a live one and a client (no expiry) stay.
  const addOidcRow = (model: string, id: string, expiresAt: Date | null) =>
    sql(server, "insert into oidc_models (model_name, id, payload, expires_at) values (?, ?, '{}'::jsonb, ?)", [model, id, expiresAt]);
  await addOidcRow('AuthorizationCode', 'expired-code', ago(1000));
  await addOidcRow('AuthorizationCode', 'live-code', new Date(Date.now() + 60_000));
  await addOidcRow('Client', 'a-client', null);
  const addSignIn = (id: string, expiresAt: Date) =>
    sql(server, "insert into sign_in_states (id, state_hash, provider, nonce, code_verifier, redirect_uri, expires_at, created_at) values (?, ?, 'test', 'n', 'v', 'https://app.example.com/cb', ?, ?)", [id, hash(), expiresAt, ago(DAY_MS)]);
  const signIns = { expired: randomUUID(), live: randomUUID() };
  await addSignIn(signIns.expired, ago(1000));
  await addSignIn(signIns.live, new Date(Date.now() + 60_000));

  // A login that starts a second-factor challenge, on each surface, leaves other users' expired challenges alone.
  const mfaUser = await register(server);
  // A confirmed address, whatever the rules on enrolling with an unconfirmed one.
  await sql(server, 'update users set email_verified = true where id = ?', [mfaUser.id]);
  server.running.services.tokens.invalidate(mfaUser.id);
  const secret = (await perform(server, 'rest', mfaCalls.enroll(), mfaUser.token)).data!.secret;
  const confirmed = await perform(server, 'rest', mfaCalls.confirm(TOTP.generate({ secret: Secret.fromBase32(secret) })), mfaUser.token);
  expect(confirmed.data).toHaveLength(10);
  for (const surface of SURFACES) {
    expect((await perform(server, surface, authCalls.login(mfaUser.email, mfaUser.password))).code).toBe('MFA_REQUIRED');
  }
  expect(await sql(server, 'select id from mfa_challenges where id = ?', [ids.expiredChallenge])).toHaveLength(1);
  await server.stop();

  let deleted: Record<string, number | undefined>;
  ({ server, deleted } = await startAndHousekeep());
  try {
    expect(deleted).toMatchObject({ oneTimeTokens: 1, mfaChallenges: 1, signInStates: 1, sentMail: 1, oidcModels: 1 });
    expect((await sql<{ id: string }>(server, 'select id from oidc_models order by id')).map((row) => row.id)).toEqual(['a-client', 'live-code']);
    expect((await sql<{ id: string }>(server, 'select id from sign_in_states')).map((row) => row.id)).toEqual([signIns.live]);
    const left = async (table: string) => (await sql<{ id: string }>(server, `select id from ${table} where user_id = ?`, [user.id])).map((row) => row.id);
    expect(await left('one_time_tokens')).not.toContain(ids.expiredToken);
    expect(await left('one_time_tokens')).toContain(ids.liveToken);
    expect(await left('mfa_challenges')).toEqual([ids.liveChallenge]);
    const subjects = (await sql<{ subject: string }>(server, "select subject from outbox where recipient = 'x@example.com'")).map((row) => row.subject);
    expect(subjects).toEqual(['sent yesterday']);
    // The second factor's challenges of the logins just made are live: the job left them.
    expect(await sql(server, 'select id from mfa_challenges where user_id = ?', [mfaUser.id])).toHaveLength(2);
  } finally {
    await server.stop();
  }
});

it('keeps audit events forever by default, and deletes those older than JANUS_AUDIT_RETENTION_DAYS when set', { timeout: TIMEOUT_MS }, async () => {
  let { server, deleted } = await startAndHousekeep();
  expect(deleted.auditEvents).toBeUndefined();
  const user = await register(server);
  await sql(server, "insert into audit_events (event, user_id, created_at) values ('login.success', ?, ?)", [user.id, ago(40 * DAY_MS)]);
  await sql(server, "insert into audit_events (event, user_id, created_at) values ('login.success', ?, ?)", [user.id, ago(20 * DAY_MS)]);
  const ages = async () =>
    (await sql<{ created_at: Date }>(server, 'select created_at from audit_events where user_id = ? order by created_at', [user.id])).map((row) =>
      Math.round((Date.now() - new Date(row.created_at).getTime()) / DAY_MS),
    );
  // Registration's own events, written just now.
  const recent = (await ages()).filter((days) => days === 0);
  expect(recent.length).toBeGreaterThan(0);
  await server.stop();

  ({ server } = await startAndHousekeep());
  try {
    expect(await ages()).toEqual([40, 20, ...recent]);
  } finally {
    await server.stop();
  }

  ({ server, deleted } = await startAndHousekeep({ JANUS_AUDIT_RETENTION_DAYS: '30' }));
  try {
    expect(deleted.auditEvents).toBe(1);
    expect(await ages()).toEqual([20, ...recent]);
  } finally {
    await server.stop();
  }
});
