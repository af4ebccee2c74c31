import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { afterAll, describe, expect, it } from 'vitest';
import { createSecretBox, keyIdOf, loadEncryptionKey } from '../../src/mfa/encryption.ts';
import { hashRecoveryCode, newRecoveryCode, normalizeRecoveryCode } from '../../src/mfa/recovery-codes.ts';
import { matchingStep, newTotpSecret, otpauthUriOf } from '../../src/mfa/totp.ts';

const keyA = Buffer.alloc(32, 1);
const keyB = Buffer.alloc(32, 2);

describe('the secret box (AES-256-GCM)', () => {
  const box = createSecretBox({ key: keyA });

  it('decrypts what it encrypted, and never encrypts the same text to the same ciphertext', () => {
    const first = box.encrypt('JBSWY3DPEHPK3PXP', 'user-1');
    const second = box.encrypt('JBSWY3DPEHPK3PXP', 'user-1');
    expect(first).not.toBe(second);
    expect(first).not.toContain('JBSWY3DPEHPK3PXP');
    expect(first.startsWith(`${keyIdOf(keyA)}.`)).toBe(true);
    expect(box.decrypt(first, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses a ciphertext moved to another row (associated data) or altered', () => {
    const sealed = box.encrypt('secret', 'user-1');
    expect(() => box.decrypt(sealed, 'user-2')).toThrow();
    const [id, iv, body, tag] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => box.decrypt([id, iv, flipped.toString('base64url'), tag].join('.'), 'user-1')).toThrow();
  });

  it('decrypts with a previous key after a rotation, and says the ciphertext should be encrypted again', () => {
    const old = box.encrypt('secret', 'user-1');
    const rotated = createSecretBox({ key: keyB, previousKeys: [keyA] });
    expect(rotated.decrypt(old, 'user-1')).toBe('secret');
    expect(rotated.isCurrent(old)).toBe(false);
    expect(rotated.isCurrent(rotated.encrypt('secret', 'user-1'))).toBe(true);
    expect(() => createSecretBox({ key: keyB }).decrypt(old, 'user-1')).toThrow(/not configured/);
  });
});

describe('the generated encryption key', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('is made once in the data folder, readable by its owner only, and reused', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'janus-encryption-key-'));
    dirs.push(dir);
    const first = await loadEncryptionKey(undefined, dir);
    expect(first).toHaveLength(32);
    const file = path.join(dir, 'keys', 'encryption.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from(await readFile(file, 'utf8'), 'base64')).toEqual(first);
    expect(await loadEncryptionKey(undefined, dir)).toEqual(first);
    expect(await loadEncryptionKey(keyB, dir)).toEqual(keyB);
  });
});

describe('recovery codes', () => {
  it('are 16 characters of 80 random bits in four groups, all different', () => {
    const codes = Array.from({ length: 50 }, newRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    expect(new Set(codes).size).toBe(50);
  });

  it('hash alike however they are typed', () => {
    const code = newRecoveryCode();
    expect(normalizeRecoveryCode(` ${code.toUpperCase().replace(/-/g, ' ')} `)).toBe(code.replace(/-/g, ''));
    expect(hashRecoveryCode(code.toUpperCase())).toBe(hashRecoveryCode(code));
    expect(hashRecoveryCode(code)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode(newRecoveryCode())).not.toBe(hashRecoveryCode(code));
  });
});

describe('TOTP codes', () => {
  const secret = newTotpSecret();
  const at = Date.UTC(2026, 0, 1, 12, 0, 15);
  const step = Math.floor(at / 30_000);
  const codeAt = (timestamp: number) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp });

  it('matches the current step and one step either side, and names the step', () => {
    expect(matchingStep(secret, codeAt(at), at)).toBe(step);
    expect(matchingStep(secret, codeAt(at - 30_000), at)).toBe(step - 1);
    expect(matchingStep(secret, codeAt(at + 30_000), at)).toBe(step + 1);
  });

  it('refuses codes two steps away, and anything not six digits', () => {
    expect(matchingStep(secret, codeAt(at - 60_000), at)).toBeUndefined();
    expect(matchingStep(secret, codeAt(at + 60_000), at)).toBeUndefined();
    expect(matchingStep(secret, `${codeAt(at)}0`, at)).toBeUndefined();
    expect(matchingStep(secret, 'abcdef', at)).toBeUndefined();
  });

  it('describes the secret for an authenticator app', () => {
    const uri = new URL(otpauthUriOf(secret, 'Janus', 'ada@example.com'));
    expect(uri.href.startsWith('otpauth://totp/')).toBe(true);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ secret, issuer: 'Janus', digits: '6', period: '30', algorithm: 'SHA1' });
  });
});
