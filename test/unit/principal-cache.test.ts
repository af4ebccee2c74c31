import { describe, expect, it } from 'vitest';
import { createPrincipalCache } from '../../src/tokens/principal-cache.ts';
import type { PrincipalRow } from '../../src/tokens/principal-query.ts';

function rowFor(userId: string, tokenVersion = 0): PrincipalRow {
  return {
    id: userId,
    email: `${userId}@example.com`,
    first_name: 'Ada',
    last_name: 'Lovelace',
    phone_number: '+15550100',
    created_at: new Date(0),
    mfa_enabled: false,
    email_verified: false,
    token_version: tokenVersion,
    disabled: false,
    role_name: 'user',
    role_permissions: ['users:read'],
  };
}

/** A query that counts its calls and answers from `rows` (by session); `holdNext` keeps the next answer back until released. */
function fixture(maxUsers = 100) {
  const rows = new Map<string, PrincipalRow>();
  const calls: string[] = [];
  let hold: Promise<void> | undefined;
  const query = async (sessionId: string, userId: string) => {
    calls.push(sessionId);
    const row = rows.get(sessionId);
    const answer = row && row.id === userId ? { ...row } : undefined;
    const held = hold;
    hold = undefined;
    await held;
    return answer;
  };
  return {
    cache: createPrincipalCache(query, maxUsers),
    rows,
    calls,
    holdNext(): () => void {
      let release!: () => void;
      hold = new Promise((resolve) => (release = resolve));
      return release;
    },
  };
}

describe('the principal cache', () => {
  it('answers a repeated lookup from memory, misses included', async () => {
    const { cache, rows, calls } = fixture();
    rows.set('s1', rowFor('u1'));
    expect((await cache.lookup('s1', 'u1'))?.id).toBe('u1');
    expect((await cache.lookup('s1', 'u1'))?.id).toBe('u1');
    expect(await cache.lookup('gone', 'u1')).toBeUndefined();
    expect(await cache.lookup('gone', 'u1')).toBeUndefined();
    expect(calls).toEqual(['s1', 'gone']);
  });

  it('reads again after invalidate(user), for that user only', async () => {
    const { cache, rows, calls } = fixture();
    rows.set('s1', rowFor('u1'));
    rows.set('s2', rowFor('u2'));
    await cache.lookup('s1', 'u1');
    await cache.lookup('s2', 'u2');
    rows.set('s1', rowFor('u1', 1));
    cache.invalidate('u1');
    expect((await cache.lookup('s1', 'u1'))?.token_version).toBe(1);
    await cache.lookup('s2', 'u2');
    expect(calls).toEqual(['s1', 's2', 's1']);
  });

  it('reads everything again after invalidateAll', async () => {
    const { cache, rows, calls } = fixture();
    rows.set('s1', rowFor('u1'));
    await cache.lookup('s1', 'u1');
    rows.delete('s1');
    cache.invalidateAll();
    expect(await cache.lookup('s1', 'u1')).toBeUndefined();
    expect(calls).toEqual(['s1', 's1']);
  });

  it('never keeps an answer whose query was running when an invalidation came', async () => {
    const { cache, rows, calls, holdNext } = fixture();
    rows.set('s1', rowFor('u1'));
    const release = holdNext();
    const stale = cache.lookup('s1', 'u1');
    rows.delete('s1');
    cache.invalidate('u1');
    release();
    expect((await stale)?.id).toBe('u1');
    expect(await cache.lookup('s1', 'u1')).toBeUndefined();
    expect(calls).toEqual(['s1', 's1']);
  });

  it('keeps at most maxUsers users, dropping the oldest', async () => {
    const { cache, rows, calls } = fixture(2);
    for (const user of ['u1', 'u2', 'u3']) {
      rows.set(`s-${user}`, rowFor(user));
      await cache.lookup(`s-${user}`, user);
    }
    await cache.lookup('s-u3', 'u3');
    await cache.lookup('s-u1', 'u1');
    expect(calls).toEqual(['s-u1', 's-u2', 's-u3', 's-u1']);
  });

  it('hands out frozen answers, shared by every request of the session', async () => {
    const { cache, rows } = fixture();
    rows.set('s1', rowFor('u1'));
    const row = await cache.lookup('s1', 'u1');
    expect(Object.isFrozen(row)).toBe(true);
    expect(Object.isFrozen(row?.role_permissions)).toBe(true);
  });
});
