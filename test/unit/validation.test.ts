import { describe, expect, it } from 'vitest';
import {
  normalizeEmail,
  normalizeName,
  normalizePhoneNumber,
  tryNormalizeEmail,
  validatePassword,
} from '../../src/accounts/validation.ts';
import { InvalidInputError } from '../../src/shared/errors.ts';

/** Runs `fn`, expecting it to throw, and returns what it threw. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it returned');
}

function expectInvalidInput(fn: () => unknown, field: string): void {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(InvalidInputError);
  expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
}

/** An address of exactly `length` characters: a 64-character local part, then 50-character labels to `.com`. */
function emailOfLength(length: number): string {
  let domain = 'com';
  while (64 + 1 + domain.length < length) {
    const room = length - 64 - 1 - domain.length - 1;
    domain = `${'d'.repeat(Math.min(50, room))}.${domain}`;
  }
  return `${'a'.repeat(64)}@${domain}`;
}

const malformedEmails: [string, string][] = [
  ['no @', 'alice.example.com'],
  ['two @', 'alice@bob@example.com'],
  ['a space in the local part', 'ali ce@example.com'],
  ['a space in the domain', 'alice@exa mple.com'],
  ['no dot in the domain', 'alice@localhost'],
  ['an empty domain label between dots', 'alice@example..com'],
  ['an empty first domain label', 'alice@.example.com'],
  ['an empty last domain label', 'alice@example.com.'],
  ['an empty local part', '@example.com'],
  ['only whitespace', '   '],
  ['the empty string', ''],
  ['more than 254 characters', emailOfLength(255)],
  ['markup in the local part', '<script>alert(1)</script>@example.com'],
  ['a local part of 65 characters', `${'a'.repeat(65)}@example.com`],
  ['two dots in a row in the local part', 'alice..smith@example.com'],
  ['a quoted local part', '"alice smith"@example.com'],
  ['a Unicode domain (use its punycode xn-- form)', 'alice@bücher.de'],
  ['a Unicode local part', 'jörg@example.com'],
  ['an IP literal', 'alice@[192.0.2.1]'],
  ['a numeric top-level label', 'alice@192.0.2.1'],
  ['a domain label starting with a hyphen', 'alice@-example.com'],
  ['a NUL', 'alice\u0000@example.com'],
];

describe('normalizeEmail', () => {
  it('trims surrounding whitespace and lower-cases the address', () => {
    expect(normalizeEmail('  Alice.Smith@Example.COM \n')).toBe('alice.smith@example.com');
  });

  it('accepts an address of exactly 254 characters', () => {
    const email = emailOfLength(254);
    expect(email).toHaveLength(254);
    expect(normalizeEmail(email)).toBe(email);
  });

  it('measures the 254-character limit after trimming', () => {
    const email = emailOfLength(254);
    expect(normalizeEmail(`   ${email}   `)).toBe(email);
  });

  it.each(malformedEmails)('rejects an address with %s as BAD_USER_INPUT on field "email"', (_, email) => {
    expectInvalidInput(() => normalizeEmail(email), 'email');
  });
});

describe('the RFC 5321 mailbox shape', () => {
  it.each([
    ['dot-atom specials', "o'hara+tag/x=y@example.co.uk"],
    ['a punycode domain', 'alice@xn--bcher-kva.example'],
    ['a 64-character local part', `${'a'.repeat(64)}@example.com`],
    ['digits and inner hyphens in labels', 'a@mail-1.example-2.com'],
  ])('accepts %s', (_name, email) => {
    expect(normalizeEmail(email)).toBe(email.toLowerCase());
  });
});

describe('tryNormalizeEmail', () => {
  it('returns the trimmed, lower-cased address for a valid one', () => {
    expect(tryNormalizeEmail(' Bob@Example.org ')).toBe('bob@example.org');
  });

  it.each(malformedEmails)('returns undefined for an address with %s', (_, email) => {
    expect(tryNormalizeEmail(email)).toBeUndefined();
  });
});

describe('validatePassword', () => {
  it.each([
    ['a newline', 'pw-one-line\npw-one-line'],
    ['a NUL', 'long enough\u0000'],
    ['an escape', '\u001b[31mred password'],
  ])('refuses a password with %s (registration, change and the CLI all use this rule)', (_name, password) => {
    expectInvalidInput(() => validatePassword(password), 'password');
    expectInvalidInput(() => validatePassword(password, 'newPassword'), 'newPassword');
  });

  it('accepts exactly 8 bytes and returns the password unchanged', () => {
    expect(validatePassword('zq8!Kx2#')).toBe('zq8!Kx2#');
  });

  it.each(['password', '12345678', 'PASSWORD', 'iloveyou', 'qwertyuiop'])('refuses the common password %s', (password) => {
    expect(() => validatePassword(password)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/too common/) }));
  });

  it('returns the NFKC form, so that composed and decomposed accents are one password', () => {
    const decomposed = 'cafe\u0301 au lait';
    const composed = 'caf\u00e9 au lait';
    expect(validatePassword(decomposed)).toBe(composed);
    expect(validatePassword('\uff11\uff12\uff13zebra!')).toBe('123zebra!');
  });

  it('accepts exactly 72 bytes', () => {
    const password = 'p'.repeat(72);
    expect(validatePassword(password)).toBe(password);
  });

  it('rejects 7 bytes as BAD_USER_INPUT on field "password"', () => {
    expectInvalidInput(() => validatePassword('1234567'), 'password');
  });

  it('rejects 73 bytes as BAD_USER_INPUT on field "password"', () => {
    expectInvalidInput(() => validatePassword('p'.repeat(73)), 'password');
  });

  it('rejects the empty password', () => {
    expectInvalidInput(() => validatePassword(''), 'password');
  });

  it('counts UTF-8 bytes, not characters, at the upper bound: 37 × "é" (74 bytes) is rejected', () => {
    const password = 'é'.repeat(37);
    expect(password).toHaveLength(37);
    expect(Buffer.byteLength(password, 'utf8')).toBe(74);
    expectInvalidInput(() => validatePassword(password), 'password');
  });

  it('counts UTF-8 bytes at the upper bound: 36 × "é" (72 bytes) is accepted', () => {
    const password = 'é'.repeat(36);
    expect(Buffer.byteLength(password, 'utf8')).toBe(72);
    expect(validatePassword(password)).toBe(password);
  });

  it('counts UTF-8 bytes at the lower bound: 4 emoji (16 bytes) pass while 7 ASCII characters fail', () => {
    const emoji = '🔑🔒🦊🚀';
    expect([...emoji]).toHaveLength(4);
    expect(Buffer.byteLength(emoji, 'utf8')).toBe(16);
    expect(validatePassword(emoji)).toBe(emoji);
    expectInvalidInput(() => validatePassword('abcdefg'), 'password');
  });

  it('does not trim: surrounding spaces count towards the length', () => {
    expect(validatePassword('  abcd  ')).toBe('  abcd  ');
  });
});

describe('normalizeName', () => {
  it('trims surrounding spaces', () => {
    expect(normalizeName('firstName', '  Ada  ')).toBe('Ada');
  });

  it.each([
    ['a NUL', 'Ada\u0000Evil'],
    ['a tab (names are one line)', 'Ada\t'],
    ['a C1 control', 'Ada\u0085'],
    ['a right-to-left override', 'Ada\u202Egnp.exe'],
    ['a lone surrogate', 'Ada\uD800'],
  ])('refuses %s as BAD_USER_INPUT on its field, from any caller (the CLI included)', (_name, value) => {
    expectInvalidInput(() => normalizeName('firstName', value), 'firstName');
  });

  it('accepts 1 and 100 characters', () => {
    expect(normalizeName('firstName', 'A')).toBe('A');
    expect(normalizeName('lastName', 'x'.repeat(100))).toBe('x'.repeat(100));
  });

  it('rejects the empty name, reporting the field it was given', () => {
    expectInvalidInput(() => normalizeName('firstName', ''), 'firstName');
  });

  it('rejects a name that is only whitespace', () => {
    expectInvalidInput(() => normalizeName('lastName', '   '), 'lastName');
  });

  it('rejects 101 characters', () => {
    expectInvalidInput(() => normalizeName('lastName', 'x'.repeat(101)), 'lastName');
  });

  it('measures the 100-character limit after trimming', () => {
    expect(normalizeName('firstName', ` ${'x'.repeat(100)} `)).toBe('x'.repeat(100));
  });
});

describe('normalizePhoneNumber', () => {
  it('accepts an international number with a leading + and spaces', () => {
    expect(normalizePhoneNumber('+44 20 7946 0000')).toBe('+44 20 7946 0000');
  });

  it('accepts a number that starts with an area code in parentheses', () => {
    expect(normalizePhoneNumber('(555) 123-4567')).toBe('(555) 123-4567');
  });

  it('accepts dots and dashes and trims surrounding whitespace', () => {
    expect(normalizePhoneNumber('  555.123-4567 ')).toBe('555.123-4567');
  });

  it('accepts exactly 32 characters', () => {
    const phone = '1'.repeat(32);
    expect(normalizePhoneNumber(phone)).toBe(phone);
  });

  it.each([
    ['letters', '555-CALL-NOW'],
    ['a trailing extension in letters', '555 123 4567 ext 2'],
    ['the empty string', ''],
    ['only whitespace', '   '],
    ['a + that is not leading', '44+20 7946 0000'],
    ['more than 32 characters', '1'.repeat(33)],
  ])('rejects %s as BAD_USER_INPUT on field "phoneNumber"', (_, phone) => {
    expectInvalidInput(() => normalizePhoneNumber(phone), 'phoneNumber');
  });
});
