import { describe, expect, it } from 'vitest';
import { tablesChangedBy } from '../../src/db/data-version.ts';

/** A frontend message as the wire carries it: type byte, length, body. */
function message(type: string, body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(5 + body.length);
  bytes[0] = type.charCodeAt(0);
  new DataView(bytes.buffer).setInt32(1, 4 + body.length);
  bytes.set(body, 5);
  return bytes;
}

const simpleQuery = (sql: string) => message('Q', new TextEncoder().encode(`${sql}\0`));
const changed = (sql: string) => {
  const tables = tablesChangedBy(simpleQuery(sql));
  return tables === 'anything' ? tables : [...tables];
};

describe('tablesChangedBy', () => {
  it.each([
    'select 1',
    "SELECT u.id from users u where u.id = 'x'",
    '  \n\tselect * from sessions for update ;  ',
    'begin',
    'COMMIT',
    'rollback',
    'savepoint "trx1"',
    'release "trx1"',
    'insert into "sessions" ("id", "user_id", "created_at") values (\'a\', \'b\', now())',
    'insert into audit_events (event) values (\'login\') returning id',
  ])('finds that a read, a transaction command or a plain INSERT changes no existing row: %j', (sql) => {
    expect(changed(sql)).toEqual([]);
  });

  it.each([
    ['update "sessions" set "revoked_at" = now() where "user_id" = \'x\'', ['sessions']],
    ['UPDATE users SET token_version = 2 WHERE id = \'x\'', ['users']],
    ['update "refresh_tokens" set "used_at" = now() from sessions s where s.id = session_id', ['refresh_tokens']],
  ])('finds the one table an UPDATE changes: %j', (sql, tables) => {
    expect(changed(sql)).toEqual(tables);
  });

  it.each([
    'delete from "refresh_tokens" where "expires_at" <= now()',
    'delete from sessions s where not exists (select 1 from refresh_tokens t where t.session_id = s.id)',
    'insert into "users" ("id") values (\'x\') on conflict ("id") do update set email = excluded.email',
    'insert into users select * from archived_users',
    'update only "sessions" set revoked_at = now()',
    'update "sessions" as s set revoked_at = now()',
    'update "public"."sessions" set revoked_at = now()',
    'select 1; update users set token_version = 9',
    "insert into audit_events (event) values ('a;b')",
    'with gone as (update sessions set revoked_at = now() returning id) select id from gone',
    'set names \'utf8\';',
    'truncate sessions',
    'alter table users add column x int',
    '/* comment */ select 1',
    '',
  ])('takes every other statement as changing anything: %j', (sql) => {
    expect(changed(sql)).toBe('anything');
  });

  it.each(['P', 'B', 'D', 'E', 'S', 'H', 'C', 'X', 'p'])('takes extended-protocol and other messages (%s) as changing anything', (type) => {
    expect(tablesChangedBy(message(type, new TextEncoder().encode('select 1\0')))).toBe('anything');
  });

  it('takes a startup message, which has no type byte, as changing anything', () => {
    const startup = new Uint8Array(8);
    new DataView(startup.buffer).setInt32(0, 8);
    new DataView(startup.buffer).setInt32(4, 196608);
    expect(tablesChangedBy(startup)).toBe('anything');
  });
});
