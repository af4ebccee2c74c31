import { afterAll, beforeAll, expect, it } from 'vitest';
import { composition } from '../../src/app/composition.ts';
import { createAccountService } from '../../src/accounts/service.ts';
import { createSessionRule } from '../../src/accounts/session-rule.ts';
import { createAuditLog } from '../../src/audit/service.ts';
import { createPasswordHasher, type PasswordHasher } from '../../src/accounts/passwords.ts';
import { openDatabase, type Database } from '../../src/db/orm.ts';
import type { TokenService } from '../../src/tokens/service.ts';
import type { MfaService } from '../../src/mfa/service.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { registration } from '../support/server.ts';
import { accountMailFor } from '../support/account-mail.ts';

let testDb: TestDatabase;
let database: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, modules: composition });
});
afterAll(async () => {
  await database?.close();
  await testDb?.dispose();
});

/** Fails after the user row has been written inside the registration's transaction. */
const failingTokens: Pick<TokenService, 'startSession' | 'revokeEverything'> = {
  async startSession(em) {
    await em.flush();
    throw new Error('session store unavailable');
  },
  revokeEverything: () => Promise.reject(new Error('not used by registration')),
};

/** Neither test reaches a second factor: the accounts have none. */
const noMfa: Pick<MfaService, 'startChallenge'> = {
  startChallenge: () => Promise.reject(new Error('no account here has a second factor')),
};

it('leaves no user row behind when a later step of registration fails', async () => {
  const accounts = createAccountService({ orm: database.orm, passwords: createPasswordHasher(4), tokens: failingTokens, mfa: noMfa, audit: createAuditLog({ orm: database.orm }), mail: accountMailFor(database.orm), sessionRule: createSessionRule({ requireVerifiedEmail: false }) });
  const input = registration();

  await expect(accounts.register(input)).rejects.toThrow('session store unavailable');

  const rows = await database.orm.em
    .getConnection()
    .execute<{ count: string }[]>('select count(*) as count from users where email = ?', [input.email]);
  expect(Number(rows[0]?.count)).toBe(0);
});

it.runIf(process.env.JANUS_TEST_DB !== 'server')('runs the embedded PostgreSQL with small memory settings', async () => {
  const connection = database.orm.em.getConnection();
  expect(await connection.execute('show shared_buffers')).toEqual([{ shared_buffers: '4MB' }]);
  expect(await connection.execute('show maintenance_work_mem')).toEqual([{ maintenance_work_mem: '16MB' }]);
  expect(await connection.execute('show max_connections')).toEqual([{ max_connections: '4' }]);
});

it('has migrations that produce exactly the schema the entities describe', async () => {
  expect((await database.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe('');
});

it('spends exactly one bcrypt compare on a login, whether or not the email exists', async () => {
  const calls: string[] = [];
  const real = createPasswordHasher(4);
  const counting: PasswordHasher = {
    hash: (password) => real.hash(password),
    verify: (password, hash) => (calls.push('verify'), real.verify(password, hash)),
    verifyNothing: (password) => (calls.push('verifyNothing'), real.verifyNothing(password)),
  };
  const accounts = createAccountService({ orm: database.orm, passwords: counting, tokens: failingTokens, mfa: noMfa, audit: createAuditLog({ orm: database.orm }), mail: accountMailFor(database.orm), sessionRule: createSessionRule({ requireVerifiedEmail: false }) });
  const input = registration();
  await accounts.createAccount(input);

  for (const [email, password] of [[input.email, 'wrong password'], ['nobody@example.com', 'wrong password'], ['malformed', 'x']] as const) {
    calls.length = 0;
    await expect(accounts.login(email, password)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(calls).toHaveLength(1);
  }
});

it('runs a hot statement with the same values and rows on both databases, bound as values, never as SQL', async () => {
  const echo = database.statements<{ text: string; number: number | null }>('janus_test_echo', 'select ?::varchar as text, ?::int as number');
  expect(await echo(["it's a ? -- not SQL", null])).toEqual([{ text: "it's a ? -- not SQL", number: null }]);
  expect(await echo(['again', 2])).toEqual([{ text: 'again', number: 2 }]);
});

it('prepares hot statements on a PostgreSQL server and not on the embedded database, whose socket mixes connections', async () => {
  const ownName = database.statements<{ name: string }>('janus_test_prepared', 'select name from pg_prepared_statements where name = ?');
  const rows = await ownName(['janus_test_prepared']);
  expect(rows).toEqual(process.env.JANUS_TEST_DB === 'server' ? [{ name: 'janus_test_prepared' }] : []);
});
