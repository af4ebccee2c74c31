import { describe, expect, it } from 'vitest';
import { mayChangeData } from '../../src/db/data-version.ts';

/** A frontend message as the wire carries it: type byte, length, body. */
function message(type: string, body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(5 + body.length);
  bytes[0] = type.charCodeAt(0);
  new DataView(bytes.buffer).setInt32(1, 4 + body.length);
  bytes.set(body, 5);
  return bytes;
}

const simpleQuery = (sql: string) => message('Q', new TextEncoder().encode(`${sql}\0`));

describe('mayChangeData', () => {
  it.each([
    'select 1',
    'SELECT u.id from users u where u.id = \'x\'',
    '  \n\tselect * from sessions ;  ',
    'Select\n"r".* from "roles" as "r"',
  ])('takes a simple query holding one SELECT as read-only: %j', (sql) => {
    expect(mayChangeData(simpleQuery(sql))).toBe(false);
  });

  it.each([
    'insert into users (id) values (1)',
    'update sessions set revoked_at = now()',
    'delete from sessions',
    'begin',
    'commit',
    'rollback',
    'select 1; delete from sessions',
    "select 'a;b'",
    'with gone as (delete from sessions returning id) select id from gone',
    'selectx from t',
    'select',
    '',
    '/* comment */ select 1',
    'create table t (id int)',
  ])('counts every other simple query as a possible change: %j', (sql) => {
    expect(mayChangeData(simpleQuery(sql))).toBe(true);
  });

  it.each(['P', 'B', 'D', 'E', 'S', 'H', 'C', 'X', 'p'])('counts extended-protocol and other messages (%s) as possible changes', (type) => {
    expect(mayChangeData(message(type, new TextEncoder().encode('select 1\0')))).toBe(true);
  });

  it('counts a startup message, which has no type byte, as a possible change', () => {
    const startup = new Uint8Array(8);
    new DataView(startup.buffer).setInt32(0, 8);
    new DataView(startup.buffer).setInt32(4, 196608);
    expect(mayChangeData(startup)).toBe(true);
  });
});
