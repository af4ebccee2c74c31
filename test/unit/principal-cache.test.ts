import { describe, expect, it } from 'vitest';
import type { DataVersion } from '../../src/db/data-version.ts';
import { cacheWhileUnchanged } from '../../src/tokens/principal-cache.ts';
import type { PrincipalRow } from '../../src/tokens/principal-query.ts';

function rowFor(userId: string, tokenVersion = 0): PrincipalRow {
  return {
    id: userId,
    email: `${userId}@example.com`,
    first_name: 'Ada',
    last_name: 'Lovelace',
    phone_number: '+15550100',
    created_at: new Date(0),
    token_version: tokenVersion,
    role_name: 'user',
    role_permissions: ['users:read'],
  };
}

/** A lookup that counts its calls and answers from `rows`; `holdNextLookup` keeps the next answer back. */
function fixture(maxEntries = 100) {
  let version = 0;
  const dataVersion: DataVersion = { current: () => version };
  const rows = new Map<string, PrincipalRow>();
  const calls: string[] = [];
  let hold: Promise<void> | undefined;
  const lookup = async (sessionId: string, userId: string) => {
    calls.push(sessionId);
    const row = rows.get(sessionId);
    const answer = row && row.id === userId ? { ...row } : undefined;
    const held = hold;
    hold = undefined;
    await held;
    return answer;
  };
  return {
    cached: cacheWhileUnchanged(lookup, dataVersion, maxEntries),
    rows,
    calls,
    change: () => version++,
    holdNextLookup(): () => void {
      const { promise, resolve } = Promise.withResolvers<void>();
      hold = promise;
      return resolve;
    },
  };
}

describe('cacheWhileUnchanged', () => {
  it('answers a repeated lookup from memory while the data version stays put', async () => {
    const { cached, rows, calls } = fixture();
    rows.set('s1', rowFor('u1'));
    const first = await cached('s1', 'u1');
    const second = await cached('s1', 'u1');
    expect(second).toEqual(first);
    expect(calls).toEqual(['s1']);
  });

  it('looks up again after any change, and so sees a revoked session at once', async () => {
    const { cached, rows, calls, change } = fixture();
    rows.set('s1', rowFor('u1'));
    expect(await cached('s1', 'u1')).toBeDefined();
    rows.delete('s1');
    change();
    expect(await cached('s1', 'u1')).toBeUndefined();
    expect(calls).toEqual(['s1', 's1']);
  });

  it('does not keep an answer read before a change, even when it arrives after newer answers', async () => {
    const { cached, rows, calls, change, holdNextLookup } = fixture();
    rows.set('s1', rowFor('u1', 0));
    rows.set('s2', rowFor('u2'));
    const release = holdNextLookup();
    const stale = cached('s1', 'u1');
    rows.set('s1', rowFor('u1', 1));
    change();
    await cached('s2', 'u2');
    release();
    expect((await stale)?.token_version).toBe(0);
    expect((await cached('s1', 'u1'))?.token_version).toBe(1);
    expect(calls).toEqual(['s1', 's2', 's1']);
  });

  it('remembers that a session is not live, until the data changes', async () => {
    const { cached, rows, calls, change } = fixture();
    expect(await cached('gone', 'u1')).toBeUndefined();
    expect(await cached('gone', 'u1')).toBeUndefined();
    expect(calls).toEqual(['gone']);
    rows.set('gone', rowFor('u1'));
    change();
    expect(await cached('gone', 'u1')).toBeDefined();
  });

  it('keys by session and user together, so a session never answers for another user', async () => {
    const { cached, rows } = fixture();
    rows.set('s1', rowFor('u1'));
    expect(await cached('s1', 'u1')).toBeDefined();
    expect(await cached('s1', 'u2')).toBeUndefined();
  });

  it('drops the oldest answer when full', async () => {
    const { cached, rows, calls } = fixture(2);
    for (const id of ['s1', 's2', 's3']) rows.set(id, rowFor('u1'));
    await cached('s1', 'u1');
    await cached('s2', 'u1');
    await cached('s3', 'u1');
    await cached('s3', 'u1');
    await cached('s1', 'u1');
    expect(calls).toEqual(['s1', 's2', 's3', 's1']);
  });

  it('hands out answers nobody can change', async () => {
    const { cached, rows } = fixture();
    rows.set('s1', rowFor('u1'));
    const row = await cached('s1', 'u1');
    expect(Object.isFrozen(row)).toBe(true);
    expect(Object.isFrozen(row?.role_permissions)).toBe(true);
  });
});
