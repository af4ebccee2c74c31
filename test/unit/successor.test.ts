import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newOpaqueSecret } from '../../src/shared/opaque-secret.ts';
import { successorOf } from '../../src/tokens/successor.ts';

describe('the successor of a refresh token', () => {
  const parent = newOpaqueSecret();
  const id = randomUUID();

  it('is the same for the same parent and successor id, so a replay can be answered with it', () => {
    expect(successorOf(parent, id)).toBe(successorOf(parent, id));
  });

  it('differs for another parent or another id, and is shaped like any refresh token', () => {
    const successor = successorOf(parent, id);
    expect(successorOf(newOpaqueSecret(), id)).not.toBe(successor);
    expect(successorOf(parent, randomUUID())).not.toBe(successor);
    expect(successor).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(successor).not.toContain(parent);
  });
});
