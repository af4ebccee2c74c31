import { InvalidInputError } from '../shared/errors.ts';
import { checkText } from '../shared/text-rule.ts';
import { isCommonPassword } from './common-passwords.ts';

export const EMAIL_MAX_LENGTH = 254;
/** RFC 5321 §4.5.3.1.1: the local part is at most 64 octets. */
export const EMAIL_LOCAL_MAX_LENGTH = 64;
export const PASSWORD_MIN_BYTES = 8;
/** bcrypt ignores everything after 72 bytes: longer passwords are refused, never silently truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const NAME_MAX_LENGTH = 100;
export const PHONE_MAX_LENGTH = 32;

/**
 * An RFC 5321 mailbox, ASCII only: a dot-atom local part of at most 64 characters (no quoted
 * strings, no comments), `@`, then two or more domain labels of letters, digits and inner hyphens,
 * the last starting with a letter (no IP literals). An internationalised domain is accepted in
 * its punycode form (`xn--…`); in Unicode it is refused, as is a Unicode local part (SMTPUTF8).
 * No flags, so that the OpenAPI document can carry it as a `pattern`.
 */
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const LABEL_TAIL = '([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
export const EMAIL_SHAPE = new RegExp(
  `^(?=[^@]{1,${EMAIL_LOCAL_MAX_LENGTH}}@)${ATEXT}+(\\.${ATEXT}+)*@([A-Za-z0-9]${LABEL_TAIL}\\.)+[A-Za-z]${LABEL_TAIL}$`,
);
export const PHONE_SHAPE = /^\+?\(?[0-9][0-9 ().-]*$/;

export function normalizeEmail(raw: string): string {
  const email = tryNormalizeEmail(raw);
  if (email === undefined) throw new InvalidInputError('email', 'Email is not a valid address');
  return email;
}

export function tryNormalizeEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return email.length <= EMAIL_MAX_LENGTH && EMAIL_SHAPE.test(email) ? email : undefined;
}

/**
 * NFKC, so that the same password typed on another keyboard or OS (composed or decomposed
 * accents, full-width digits) hashes the same.
 */
export function normalizePassword(raw: string): string {
  return raw.normalize('NFKC');
}

/** The normalised password, once it has the allowed length and is not a common one. */
export function validatePassword(raw: string, field = 'password'): string {
  checkText(field, raw);
  const password = normalizePassword(raw);
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes < PASSWORD_MIN_BYTES || bytes > PASSWORD_MAX_BYTES) {
    throw new InvalidInputError(field, `Password must be between ${PASSWORD_MIN_BYTES} and ${PASSWORD_MAX_BYTES} bytes long`);
  }
  if (isCommonPassword(password)) throw new InvalidInputError(field, 'This password is too common; choose another');
  return password;
}

/** Whether a login password can be checked at all: a longer one cannot match any stored hash. */
export function fitsBcrypt(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') <= PASSWORD_MAX_BYTES;
}

export function normalizeName(field: string, raw: string): string {
  checkText(field, raw);
  const value = raw.trim();
  if (value.length === 0 || value.length > NAME_MAX_LENGTH) {
    throw new InvalidInputError(field, `${field} must be 1 to ${NAME_MAX_LENGTH} characters long`);
  }
  return value;
}

export function normalizePhoneNumber(raw: string): string {
  const value = raw.trim();
  if (value.length > PHONE_MAX_LENGTH || !PHONE_SHAPE.test(value)) {
    throw new InvalidInputError('phoneNumber', 'Phone number may hold digits, spaces, ( ) . - and a leading +');
  }
  return value;
}
